import { _t } from "@web/core/l10n/translation";
import { SearchModel } from "@web/search/search_model";
import { patch } from "@web/core/utils/patch";

/**
 * What to say when an empathy filter of the contacts finds nobody: [title, text].
 * Keys are the filters' names in the search view.
 */
export const EMPATHY_EMPTY_HELP = {
    empathy_i_click: () => [
        _t("No customer you click with yet"),
        _t(
            "Your rapport with a customer reaches 4 stars after good calls and meetings: rate each one in the impression dialog when you mark it done."
        ),
    ],
    empathy_low_rapport: () => [
        _t("No customer with low rapport"),
        _t("Every rated customer has an advisor they click with (best rapport 2.5 or more)."),
    ],
    empathy_mood_declining: () => [
        _t("Nobody's mood is declining"),
        _t("The trend compares the moods of the latest impressions with the earlier ones."),
    ],
    empathy_no_recent_impression: () => [
        _t("Everyone heard from in the last 90 days"),
        _t("Every customer with impressions has one from the last 90 days."),
    ],
    empathy_silent: () => [
        _t("No silent customers"),
        _t("Everyone who bought recently has been heard from since."),
    ],
    empathy_factual: () => [
        _t("No fact-oriented customer"),
        _t("Set the communication style in a contact's Empathy tab, or note what you observed in the impression dialog."),
    ],
    empathy_emotional: () => [
        _t("No emotion-oriented customer"),
        _t("Set the communication style in a contact's Empathy tab, or note what you observed in the impression dialog."),
    ],
    empathy_demanding: () => [
        _t("No demanding customer"),
        _t("Set the temperament in a contact's Empathy tab."),
    ],
};

patch(SearchModel.prototype, {
    /**
     * The empty-state help of the first active empathy filter of the contacts, or
     * null (the action's help is shown then).
     *
     * @returns {string[]|null} [title, text]
     */
    get empathyNoContentHelp() {
        if (this.resModel !== "res.partner") {
            return null;
        }
        const active = this.getSearchItems(
            (item) => item.type === "filter" && item.isActive && item.name in EMPATHY_EMPTY_HELP
        );
        return active.length ? EMPATHY_EMPTY_HELP[active[0].name]() : null;
    },
});
