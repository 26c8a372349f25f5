import { registry } from "@web/core/registry";
import { rateGoodAndPleased } from "./empathic_crm_tour_steps";

registry.category("web_tour.tours").add("empathic_crm_activity_view_tour", {
    steps: () => [
        {
            content: "Open the activities of Jonas Keller in the Activity view",
            trigger: ".o_activity_view tr:has(.o_activity_record:contains('Jonas Keller')) .o-mail-ActivityCell-deadline",
            run: "click",
        },
        {
            content: "Click Mark as done in the activity popover",
            trigger: ".o-mail-ActivityListPopover .o-mail-ActivityListPopoverItem-markAsDone",
            run: "click",
        },
        {
            content: "Click Done",
            trigger: ".o-mail-ActivityListPopover .o-mail-ActivityMarkAsDone button[aria-label='Done']",
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
            content: "The Activity view is reloaded: Jonas Keller has no activity left",
            trigger: ".o_activity_view:not(:has(.o_activity_record:contains('Jonas Keller')))",
        },
    ],
});
