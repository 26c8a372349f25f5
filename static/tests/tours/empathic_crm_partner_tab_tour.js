import { registry } from "@web/core/registry";
import { openEmpathyTab } from "./empathic_crm_tour_steps";

registry.category("web_tour.tours").add("empathic_crm_partner_tab_tour", {
    steps: () => [
        {
            timeout: 30000, // the first view may load slowly on a busy machine
            content: "Wait for the partner form",
            trigger: ".o_form_view .o_field_widget[name=name]",
        },
        ...openEmpathyTab(),
        {
            content: "The briefing names the customer's motives",
            trigger: ".o_field_widget[name=empathy_briefing]:contains('Hawaii trip')",
        },
        {
            content: "The motives are shown as tags too",
            trigger: ".o_field_widget[name=empathy_motive_ids] .o_tag:contains('Marathon')",
        },
    ],
});
