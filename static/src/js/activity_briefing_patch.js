import { Activity } from "@mail/core/web/activity";
import { ActivityListPopoverItem } from "@mail/core/web/activity_list_popover_item";
import { markup } from "@odoo/owl";
import { patch } from "@web/core/utils/patch";

/**
 * The compact briefing the server sends with an activity (`empathy_briefing`,
 * guarded by the empathy group: absent for other users), ready for `t-out`.
 * The server builds it from escaped values only. 18.0's store passes it as a
 * string; 19.0's store sends HTML as `["markup", html]` and leaves it so for the
 * fields the activity model does not declare: both give the same markup.
 *
 * @param {Object} activity
 * @returns {import("@odoo/owl").Markup|false}
 */
export function empathyBriefingOf(activity) {
    const value = activity?.empathy_briefing;
    const html = Array.isArray(value) && value[0] === "markup" ? value[1] : value;
    return html ? markup(html) : false;
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
