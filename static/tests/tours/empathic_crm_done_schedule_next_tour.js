import { registry } from "@web/core/registry";
import { dialogOpenedDirectly, rateGoodAndPleased } from "./empathic_crm_tour_steps";

registry.category("web_tour.tours").add("empathic_crm_done_schedule_next_tour", {
    steps: () => [
        {
            timeout: 30000, // the first view may load slowly on a busy machine
            content: "Click Mark Done on the Call activity in the chatter",
            trigger: ".o-mail-Activity:contains('Discuss the Hawaii trip') .o-mail-Activity-markDone",
            run: "click",
        },
        ...dialogOpenedDirectly(),
        ...rateGoodAndPleased(),
        {
            content: "Click Done & Schedule Next in the impression dialog",
            trigger: ".modal button.o_empathy_confirm_next",
            run: "click",
        },
        {
            content: "The Schedule Activity dialog opens",
            trigger: ".modal:not(:has(.o_empathy_impression_wizard)) .o_form_view .o_field_widget[name=activity_type_id]",
        },
        {
            content: "Discard the next activity",
            trigger: ".modal .modal-footer button:contains('Discard')",
            run: "click",
        },
        {
            content: "The dialog is closed",
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "The activity is gone from the chatter",
            trigger: ".o-mail-Chatter:not(:has(.o-mail-Activity))",
        },
        {
            content: "The done message is in the chatter",
            trigger: ".o-mail-Message:contains('Call done')",
        },
    ],
});
