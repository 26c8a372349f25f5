/** @odoo-module alias=@empathic_crm/compat/activity_model default=false */
/**
 * Odoo 18.0: the activity model is in mail's backend folder. Import it from
 * "@empathic_crm/compat/activity_model" (the alias above), the same on every series;
 * this file is in the bundle on 18.0 only (data/odoo18/empathic_crm_assets.xml).
 */
export { Activity } from "@mail/core/web/activity_model";
