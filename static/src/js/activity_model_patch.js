import { Activity } from "@empathic_crm/compat/activity_model";
import { Activity as ActivityComponent } from "@mail/core/web/activity";
import { ActivityListPopoverItem } from "@mail/core/web/activity_list_popover_item";
import { Chatter } from "@mail/chatter/web_portal/chatter";
import { patch } from "@web/core/utils/patch";

/**
 * Whether a server answer is an action to run (e.g. the impression dialog that
 * the gate returns instead of completing an activity).
 *
 * @param {any} result
 * @returns {boolean}
 */
export function isClientAction(result) {
    return Boolean(result) && typeof result === "object" && typeof result.type === "string";
}

/**
 * Run an action returned by the server; for a dialog, resolve once it is closed
 * (confirmed or cancelled), so that the caller refreshes the thread afterwards.
 *
 * @param {Object} env
 * @param {Object} action
 * @returns {Promise<void>}
 */
export function runReturnedAction(env, action) {
    const actionService = env.services.action;
    if (action.target !== "new") {
        return actionService.doAction(action);
    }
    return new Promise((resolve, reject) => {
        actionService
            .doAction(action, { onClose: (infos) => resolve(infos) })
            .catch(reject);
    });
}

patch(Activity.prototype, {
    /**
     * Same as core, but follow the action the server may return: when the activity
     * type requires an impression, `action_feedback` answers with the impression
     * dialog instead of completing the activity. The promise resolves when that
     * dialog is closed, so the callers (chatter, activity popovers, activity view)
     * reload the activities and messages exactly as after a direct completion.
     * Replaces core 18.0's body (mail/static/src/core/web/activity_model.js, sha256
     * e65aa45b…, checked by tests/test_core_copies.py: re-sync when core changes).
     *
     * @override
     * @param {number[]} attachmentIds
     */
    async markAsDone(attachmentIds = []) {
        const result = await this.store.env.services.orm.call(
            "mail.activity",
            "action_feedback",
            [[this.id]],
            {
                attachment_ids: attachmentIds,
                feedback: this.feedback,
            }
        );
        if (isClientAction(result)) {
            const infos = await runReturnedAction(this.store.env, result);
            if (!infos?.special) {
                // confirmed (not cancelled): the form shows the new impression and
                // profile once the chatter reloads its parent view
                this.store.empathyReloadParentView = true;
            }
        }
        this.store.activityBroadcastChannel?.postMessage({
            type: "RELOAD_CHATTER",
            payload: { id: this.res_id, model: this.res_model },
        });
    },
});

patch(Chatter.prototype, {
    /**
     * After an impression was recorded from this chatter, also reload the record's
     * form: the impression count, the Empathy tab and the briefing changed.
     *
     * @override
     */
    onActivityChanged(thread) {
        super.onActivityChanged(...arguments);
        if (this.store.empathyReloadParentView) {
            this.store.empathyReloadParentView = false;
            this.reloadParentView();
        }
    },
});

/**
 * Complete a gated activity from a Mark Done button: the impression dialog opens at
 * once (it asks for the feedback too), without the core feedback popover.
 *
 * @param {Object} env
 * @param {import("models").Activity} activity
 * @param {function} onActivityChanged
 */
async function markGatedActivityDone(env, activity, onActivityChanged) {
    const thread = env.services["mail.store"].Thread.insert({
        model: activity.res_model,
        id: activity.res_id,
    });
    activity.feedback = false;
    await activity.markAsDone();
    onActivityChanged?.(thread);
    await thread.fetchNewMessages();
}

patch(ActivityComponent.prototype, {
    /**
     * Chatter: for a gated activity, Mark Done opens the impression dialog directly.
     *
     * @override
     */
    async onClickMarkAsDone(ev) {
        if (!this.props.activity.empathy_impression_required) {
            return super.onClickMarkAsDone(...arguments);
        }
        if (this.markDonePopover.isOpen) {
            this.markDonePopover.close();
        }
        await markGatedActivityDone(this.env, this.props.activity, this.props.onActivityChanged);
    },
});

patch(ActivityListPopoverItem.prototype, {
    /**
     * Activity view, list and kanban activity popovers: for a gated activity, Mark
     * Done closes the popover and opens the impression dialog directly.
     *
     * @override
     */
    async onClickMarkAsDone() {
        if (!this.props.activity.empathy_impression_required) {
            return super.onClickMarkAsDone(...arguments);
        }
        const { activity, onActivityChanged } = this.props;
        // the popover's close callback (as core's "Done & Schedule Next" uses it)
        this.props.onClickDoneAndScheduleNext?.();
        await markGatedActivityDone(this.env, activity, onActivityChanged);
    },
});
