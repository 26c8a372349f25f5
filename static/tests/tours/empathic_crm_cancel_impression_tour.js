import { registry } from "@web/core/registry";
import { dialogOpenedDirectly } from "./empathic_crm_tour_steps";

registry.category("web_tour.tours").add("empathic_crm_cancel_impression_tour", {
    steps: () => [
        {
            timeout: 30000, // the first view may load slowly on a busy machine
            content: "Click Mark Done on the Call activity in the chatter",
            trigger: ".o-mail-Activity:contains('Discuss the Hawaii trip') .o-mail-Activity-markDone",
            run: "click",
        },
        ...dialogOpenedDirectly(),
        {
            content: "Give a star",
            trigger: ".modal .o_empathy_impression_wizard .o_field_widget[name=rapport] .o_priority_star[aria-label='Good']",
            run: "click",
        },
        {
            content: "Type a note",
            trigger: ".modal .o_empathy_impression_wizard .o_field_widget[name=note] textarea",
            run: "edit Asked about the heat in Kona",
        },
        {
            content: "Leave the note (the dialog takes what was typed)",
            trigger: ".modal:has(.o_empathy_impression_wizard) .modal-title",
            run: "click",
        },
        {
            content: "Cancel: a typed note is not discarded silently",
            trigger: ".modal .modal-footer button.o_empathy_cancel_typed:contains('Cancel')",
            run: "click",
        },
        {
            content: "Keep editing",
            trigger: ".modal:contains('Discard what you typed?') button:contains('Keep editing')",
            run: "click",
        },
        {
            content: "The note is still there",
            trigger: ".modal .o_empathy_impression_wizard .o_field_widget[name=note] textarea:value(Asked about the heat in Kona)",
        },
        {
            content: "Cancel again, and discard",
            trigger: ".modal .modal-footer button.o_empathy_cancel_typed:contains('Cancel')",
            run: "click",
        },
        {
            content: "Discard",
            trigger: ".modal:contains('Discard what you typed?') button:contains('Discard')",
            run: "click",
        },
        {
            content: "The dialog is closed and no popover is left open",
            trigger: "body:not(:has(.modal)):not(:has(.o-mail-ActivityMarkAsDone))",
        },
        {
            content: "The activity is still planned",
            trigger: ".o-mail-Activity:contains('Discuss the Hawaii trip') .o-mail-Activity-markDone",
        },
        {
            content: "No done message was posted",
            trigger: ".o-mail-Chatter:not(:has(.o-mail-Message:contains('Call done')))",
        },
    ],
});
