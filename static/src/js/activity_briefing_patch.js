import { Activity } from "@mail/core/web/activity";
import { ActivityListPopoverItem } from "@mail/core/web/activity_list_popover_item";
import { markup } from "@odoo/owl";
import { patch } from "@web/core/utils/patch";

/**
 * The compact briefing the server sends with an activity (`empathy_briefing`,
 * guarded by the empathy group: absent for other users), ready for `t-out`.
 * The server builds it from escaped values only.
 *
 * @param {Object} activity
 * @returns {import("@odoo/owl").Markup|false}
 */
export function empathyBriefingOf(activity) {
    return activity?.empathy_briefing ? markup(activity.empathy_briefing) : false;
}

const briefingGetter = {
    /** @returns {import("@odoo/owl").Markup|false} */
    get empathyBriefing() {
        return empathyBriefingOf(this.props.activity);
    },
};

// the activity popovers (kanban/list "clock", Activity view cells)
patch(ActivityListPopoverItem.prototype, briefingGetter);
// the chatter's activities (handover To-Dos always, gated ones in the details)
patch(Activity.prototype, briefingGetter);
