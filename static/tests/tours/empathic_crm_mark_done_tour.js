import { registry } from "@web/core/registry";
import { rateGoodAndPleased } from "./empathic_crm_tour_steps";

registry.category("web_tour.tours").add("empathic_crm_mark_done_tour", {
    steps: () => [
        {
            content: "Click Mark Done on the Call activity in the chatter",
            trigger: ".o-mail-Activity:contains('Discuss the Hawaii trip') .o-mail-Activity-markDone",
            run: "click",
        },
        {
            content: "Write a feedback",
            trigger: ".o-mail-ActivityMarkAsDone textarea",
            run: "edit Talked about the race",
        },
        {
            content: "Click Done in the popover",
            trigger: ".o-mail-ActivityMarkAsDone button[aria-label='Done']",
            run: "click",
        },
        ...rateGoodAndPleased(),
        {
            content: "Click Done in the impression dialog",
            trigger: ".modal button.o_empathy_confirm",
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
            content: "The done message is in the chatter, with the feedback",
            trigger: ".o-mail-Message:contains('Call done'):contains('Talked about the race')",
        },
        {
            content: "The form was reloaded: the smart button counts the new impression",
            trigger: ".oe_stat_button:contains('Impressions'):contains('1')",
        },
        {
            content: "Open the Empathy tab",
            trigger: ".o_notebook .nav-link:contains('Empathy')",
            run: "click",
        },
        {
            content: "The impression is in the timeline with its stars and mood",
            trigger: ".o_field_widget[name=empathy_impression_ids] .o_data_row:contains('★★★★☆'):contains('🙂')",
        },
    ],
});
