import { registry } from "@web/core/registry";
import { confirmDialog, dialogOpenedDirectly, rateGoodAndPleased } from "./empathic_crm_tour_steps";

// the minimal impression from the Activity view: the cell shows the activities, then
// 4 clicks (Mark Done, star, mood, Done)
const JONAS = "tr:has(.o_activity_record:contains('Jonas Keller'))";

registry.category("web_tour.tours").add("empathic_crm_activity_view_tour", {
    steps: () => [
        {
            timeout: 30000, // the first view may load slowly on a busy machine
            content: "Open the activities of Jonas Keller in the Activity view",
            trigger: ".o_activity_view tr:has(.o_activity_record:contains('Jonas Keller')) .o-mail-ActivityCell-deadline",
            run: "click",
        },
        {
            content: "Click 1: Mark as done in the activity popover",
            trigger: ".o-mail-ActivityListPopover .o-mail-ActivityListPopoverItem-markAsDone",
            run: "click",
        },
        ...dialogOpenedDirectly(),
        ...rateGoodAndPleased(), // clicks 2 and 3
        ...confirmDialog(), // click 4
        {
            // (core deletes the done activity; with done activities kept, e.g. OCA
            // mail_activity_done, the cell shows it as done)
            content: "The Activity view is reloaded: Jonas Keller has no open activity left",
            trigger: [".today", ".planned", ".overdue"]
                .map((state) => `:not(:has(${JONAS} .o_activity_summary_cell${state}))`)
                .reduce((selector, part) => selector + part, ".o_activity_view"),
        },
    ],
});
