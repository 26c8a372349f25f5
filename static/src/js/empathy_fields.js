import { Component, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

/**
 * The customer's mood, -2 to +2, as a face of Odoo's icon font with a text label
 * (emoji are not available on every machine).
 */
export const MOODS = [
    { value: -2, icon: "fa-frown-o", color: "text-danger", label: _t("Angry") },
    { value: -1, icon: "fa-frown-o", color: "text-warning", label: _t("Unhappy") },
    { value: 0, icon: "fa-meh-o", color: "text-muted", label: _t("Neutral") },
    { value: 1, icon: "fa-smile-o", color: "text-success", label: _t("Pleased") },
    { value: 2, icon: "fa-smile-o", color: "text-success fw-bold", label: _t("Delighted") },
];

/** How well we clicked, 1 to 5 stars. */
export const RAPPORT_LEVELS = [
    { value: 1, label: _t("We did not click") },
    { value: 2, label: _t("Distant") },
    { value: 3, label: _t("Fine") },
    { value: 4, label: _t("Good") },
    { value: 5, label: _t("We clicked perfectly") },
];

/**
 * Shared by both widgets: they edit an integer field (impressions) or a selection
 * whose keys are the numbers as strings (the impression dialog).
 */
class EmpathyScaleField extends Component {
    static props = { ...standardFieldProps };

    get isSelection() {
        return this.props.record.fields[this.props.name].type === "selection";
    }

    /** @returns {number|null} the current value, null when not set */
    get current() {
        const raw = this.props.record.data[this.props.name];
        if (raw === false || raw === undefined || raw === null || raw === "") {
            return null;
        }
        return Number(raw);
    }

    /** @param {number|null} value */
    async setValue(value) {
        let raw = value;
        if (this.isSelection) {
            raw = value === null ? false : String(value);
        } else if (value === null) {
            return; // an impression always has a rapport and a mood
        }
        await this.props.record.update({ [this.props.name]: raw });
    }
}

export class EmpathyMoodField extends EmpathyScaleField {
    static template = "empathic_crm.EmpathyMoodField";

    get moods() {
        return MOODS;
    }

    get currentMood() {
        return MOODS.find((mood) => mood.value === this.current);
    }

    onClick(mood) {
        if (!this.props.readonly) {
            this.setValue(mood.value === this.current ? null : mood.value);
        }
    }
}

export class EmpathyRapportField extends EmpathyScaleField {
    static template = "empathic_crm.EmpathyRapportField";

    setup() {
        this.state = useState({ hover: null });
    }

    get levels() {
        return RAPPORT_LEVELS;
    }

    get shown() {
        return this.state.hover ?? this.current ?? 0;
    }

    get label() {
        return RAPPORT_LEVELS.find((level) => level.value === this.current)?.label || "";
    }

    onClick(level) {
        if (!this.props.readonly) {
            this.state.hover = null;
            this.setValue(level.value === this.current ? null : level.value);
        }
    }
}

const supportedTypes = ["integer", "selection"];
registry.category("fields").add("empathy_mood", {
    component: EmpathyMoodField,
    displayName: _t("Mood face"),
    supportedTypes,
});
registry.category("fields").add("empathy_rapport", {
    component: EmpathyRapportField,
    displayName: _t("Rapport stars"),
    supportedTypes,
});

/**
 * "Same as last time" in the impression dialog: a button that sets its boolean field,
 * whose onchange fills rapport and mood (an object button would have to save the
 * dialog first, which its required rapport and mood prevent).
 */
export class EmpathySameAsLastField extends Component {
    static template = "empathic_crm.EmpathySameAsLastField";
    static props = { ...standardFieldProps };

    onClick() {
        this.props.record.update({ [this.props.name]: true });
    }
}

registry.category("fields").add("empathy_same_as_last", {
    component: EmpathySameAsLastField,
    displayName: _t("Same as last time"),
    supportedTypes: ["boolean"],
});
