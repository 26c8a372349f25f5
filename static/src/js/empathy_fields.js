import { Component, onWillStart, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

/**
 * How each mood looks: a face of Odoo's icon font and a colour (emoji are not
 * available on every machine). The words come from the server, as every label of
 * the impression's scales (tools/vocabulary.py).
 */
export const MOOD_LOOKS = {
    "-2": { icon: "fa-frown-o", color: "text-danger" },
    "-1": { icon: "fa-frown-o", color: "text-warning" },
    0: { icon: "fa-meh-o", color: "text-muted" },
    1: { icon: "fa-smile-o", color: "text-success" },
    2: { icon: "fa-smile-o", color: "text-success fw-bold" },
};

/** the labels of the integer scales, read once per page load */
let scaleLabels = null;

/**
 * The labels of the scales, shared by every field of the page.
 *
 * The shared promise comes from the environment's orm service, not from a component's
 * ``useService("orm")``: a component's service never settles its promises once that
 * component is gone, so a first field destroyed early (a form rendered again on a
 * busy phone) would leave every later field waiting forever.
 *
 * @param {Object} env the component's environment
 * @returns {Promise<{mood: Array, rapport: Array}>} [[value, label]] per scale, in the
 *     user's language (``empathy.impression.empathy_scale_labels``)
 */
export function loadScaleLabels(env) {
    scaleLabels ??= env.services.orm
        .call("empathy.impression", "empathy_scale_labels", [])
        .catch((error) => {
            scaleLabels = null;
            throw error;
        });
    return scaleLabels;
}

class EmpathyScaleField extends Component {
    static props = { ...standardFieldProps };
    /** the scale of empathy_scale_labels() an integer field shows ("mood", "rapport") */
    static scale = "";

    setup() {
        /** @type {{value: number, label: string}[]} */
        this.labels = [];
        onWillStart(async () => {
            const field = this.props.record.fields[this.props.name];
            // a selection (the impression dialog) brings its labels; an integer asks once
            const pairs =
                field.type === "selection"
                    ? field.selection
                    : (await loadScaleLabels(this.env))[this.constructor.scale];
            this.labels = pairs.map(([value, label]) => ({ value: Number(value), label }));
        });
    }

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
    static scale = "mood";

    get moods() {
        return this.labels.map((mood) => ({ ...mood, ...MOOD_LOOKS[mood.value] }));
    }

    get currentMood() {
        return this.moods.find((mood) => mood.value === this.current);
    }

    onClick(mood) {
        if (!this.props.readonly) {
            this.setValue(mood.value === this.current ? null : mood.value);
        }
    }
}

export class EmpathyRapportField extends EmpathyScaleField {
    static template = "empathic_crm.EmpathyRapportField";
    static scale = "rapport";

    setup() {
        super.setup();
        this.state = useState({ hover: null });
    }

    get levels() {
        return this.labels;
    }

    get shown() {
        return this.state.hover ?? this.current ?? 0;
    }

    get label() {
        return this.labels.find((level) => level.value === this.current)?.label || "";
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
