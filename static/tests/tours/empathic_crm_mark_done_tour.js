import { registry } from "@web/core/registry";
import {
    confirmDialog,
    dialogOpenedDirectly,
    openEmpathyTab,
    rateGoodAndPleased,
} from "./empathic_crm_tour_steps";

// the minimal impression from the chatter: 4 clicks (Mark Done, star, mood, Done)
registry.category("web_tour.tours").add("empathic_crm_mark_done_tour", {
    steps: () => [
        {
            timeout: 30000, // the first view may load slowly on a busy machine
            content: "Click 1: Mark Done on the Call activity in the chatter",
            trigger: ".o-mail-Activity:contains('Discuss the Hawaii trip') .o-mail-Activity-markDone",
            run: "click",
        },
        ...dialogOpenedDirectly(),
        {
            content: "Rapport and mood are marked as required",
            trigger: ".modal:has(.o_field_widget.o_required_modifier[name=rapport]) .o_field_widget.o_required_modifier[name=mood]",
        },
        ...rateGoodAndPleased(), // clicks 2 and 3
        ...confirmDialog(), // click 4
        {
            content: "The activity is gone from the chatter",
            trigger: ".o-mail-Chatter:not(:has(.o-mail-Activity))",
        },
        {
            content: "The done message is in the chatter",
            trigger: ".o-mail-Message:contains('Call done'):contains('Discuss the Hawaii trip')",
        },
        {
            content: "The form was reloaded: the smart button counts the new impression",
            trigger: ".oe_stat_button:contains('Impressions'):contains('1')",
        },
        ...openEmpathyTab(),
        {
            content: "The impression is in the timeline with its stars, mood face and label",
            trigger: ".o_field_widget[name=empathy_impression_ids] .o_data_row:has(.o_empathy_rapport[title='Good']):has(.o_empathy_mood .fa-smile-o):contains('Pleased')",
        },
    ],
});
