import { registry } from "@web/core/registry";
import { confirmDialog, dialogOpenedDirectly, rateGoodAndPleased } from "./empathic_crm_tour_steps";

registry.category("web_tour.tours").add("empathic_crm_inline_validation_tour", {
    steps: () => [
        {
            timeout: 30000, // the first view may load slowly on a busy machine
            content: "Click Mark Done on the Call activity in the chatter",
            trigger: ".o-mail-Activity:contains('Discuss the Hawaii trip') .o-mail-Activity-markDone",
            run: "click",
        },
        ...dialogOpenedDirectly(),
        {
            content: "Write the feedback in the dialog (asked once, here)",
            trigger: ".modal .o_field_widget[name=feedback] textarea",
            run: "edit Talked about the race",
        },
        {
            content: "Click Done without stars and mood",
            trigger: ".modal button.o_empathy_confirm",
            run: "click",
        },
        {
            content: "Rapport is highlighted as missing, inline",
            trigger: ".modal .o_field_widget.o_field_invalid[name=rapport]",
        },
        {
            content: "Mood is highlighted as missing, inline",
            trigger: ".modal .o_field_widget.o_field_invalid[name=mood]",
        },
        {
            content: "No error window: the impression dialog is the only dialog",
            trigger: "body:not(:has(.o_error_dialog)):has(.modal .o_empathy_impression_wizard)",
        },
        ...rateGoodAndPleased(),
        {
            content: "The rapport is no longer highlighted",
            trigger: ".modal .o_field_widget[name=rapport]:not(.o_field_invalid)",
        },
        ...confirmDialog(),
        {
            content: "The done message is in the chatter, with the feedback",
            trigger: ".o-mail-Message:contains('Call done'):contains('Talked about the race')",
        },
    ],
});
