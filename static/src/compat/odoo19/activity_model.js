/** @odoo-module alias=@empathic_crm/compat/activity_model default=false */
/**
 * Odoo 19.0: the activity model moved to mail's common folder; its backend methods
 * (markAsDone…) are a patch in the backend folder, loaded first so that the addon's
 * patch of them comes after. Import it from "@empathic_crm/compat/activity_model"
 * (the alias above), the same on every series; this file is in the bundle on 19.0
 * only (data/odoo19/empathic_crm_assets.xml).
 */
import "@mail/core/web/activity_model_patch";

export { Activity } from "@mail/core/common/activity_model";
