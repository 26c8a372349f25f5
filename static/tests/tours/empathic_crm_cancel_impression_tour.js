import { registry } from "@web/core/registry";
import { dialogOpenedDirectly } from "./empathic_crm_tour_steps";

const DIALOG = ".modal .o_empathy_impression_wizard";
const NOTE = `${DIALOG} .o_field_widget[name=note] textarea`;
const QUESTION = ".modal:contains('Discard what you typed?')";

/**
 * Type into the note as a person does, and stay in the field: the text is in the
 * input, not yet in the record (no change event, the focus stays).
 *
 * @param {string} text
 */
function typeAndStay(text) {
    return {
        content: `Type "${text}" into the note and stay in the field`,
        trigger: NOTE,
        run() {
            const textarea = this.anchor;
            textarea.focus();
            textarea.value = text;
            textarea.dispatchEvent(
                new InputEvent("input", { bubbles: true, data: text, inputType: "insertText" })
            );
            if (document.activeElement !== textarea) {
                throw new Error("the note lost the focus");
            }
        },
    };
}

/**
 * Answer "Keep editing" and find the text where it was.
 *
 * @param {string} how the way out that was tried
 * @param {string} text
 */
function keepEditing(how, text) {
    return [
        {
            content: `${how} right after typing: the dialog asks first`,
            trigger: `${QUESTION} button:contains('Keep editing')`,
            run: "click",
        },
        {
            content: `${how}: the dialog and the note are still there`,
            trigger: `body:not(:has(${QUESTION})) ${NOTE}`,
            run() {
                if (this.anchor.value !== text) {
                    throw new Error(`the note reads "${this.anchor.value}", expected "${text}"`);
                }
            },
        },
    ];
}

registry.category("web_tour.tours").add("empathic_crm_cancel_impression_tour", {
    steps: () => [
        {
            timeout: 30000, // the first view may load slowly on a busy machine
            content: "Click Mark Done on the Call activity in the chatter",
            trigger: ".o-mail-Activity:contains('Discuss the Hawaii trip') .o-mail-Activity-markDone",
            run: "click",
        },
        ...dialogOpenedDirectly(),
        {
            content: "Nothing typed: Escape closes the dialog without a question",
            trigger: NOTE,
            run: "press Escape",
        },
        {
            content: "The dialog is closed, nothing was asked",
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "Mark Done again",
            trigger: ".o-mail-Activity:contains('Discuss the Hawaii trip') .o-mail-Activity-markDone",
            run: "click",
        },
        {
            content: "Give a star",
            trigger: `${DIALOG} .o_field_widget[name=rapport] .o_priority_star[aria-label='Good']`,
            run: "click",
        },
        typeAndStay("Asked about the heat in Kona"),
        {
            content: "Cancel straight away, the note still in its field",
            trigger: ".modal .modal-footer button.o_empathy_cancel:contains('Cancel')",
            run: "click",
        },
        ...keepEditing("Cancel", "Asked about the heat in Kona"),
        typeAndStay("Asked about the heat in Kona and the swim"),
        {
            content: "Escape straight away",
            trigger: NOTE,
            run: "press Escape",
        },
        ...keepEditing("Escape", "Asked about the heat in Kona and the swim"),
        typeAndStay("Asked about the heat in Kona, the swim and the bike"),
        {
            content: "Close with ✕ straight away",
            trigger: ".modal:has(.o_empathy_impression_wizard) .modal-header .btn-close",
            run: "click",
        },
        ...keepEditing("✕", "Asked about the heat in Kona, the swim and the bike"),
        {
            content: "A click outside the dialog does not close it",
            trigger: ".o_dialog:has(.o_empathy_impression_wizard) .modal",
            run() {
                const backdrop = this.anchor;
                for (const type of ["pointerdown", "mousedown", "pointerup", "mouseup", "click"]) {
                    backdrop.dispatchEvent(
                        new MouseEvent(type, { bubbles: true, clientX: 2, clientY: 2 })
                    );
                }
            },
        },
        {
            content: "Still open, the note kept",
            trigger: `${NOTE}:value(Asked about the heat in Kona, the swim and the bike)`,
        },
        {
            content: "Cancel again, and discard",
            trigger: ".modal .modal-footer button.o_empathy_cancel:contains('Cancel')",
            run: "click",
        },
        {
            content: "Discard",
            trigger: `${QUESTION} button:contains('Discard')`,
            run: "click",
        },
        {
            content: "The dialog is closed and no popover is left open",
            trigger: "body:not(:has(.modal)):not(:has(.o-mail-ActivityMarkAsDone))",
        },
        {
            content: "The activity is still planned",
            trigger: ".o-mail-Activity:contains('Discuss the Hawaii trip') .o-mail-Activity-markDone",
        },
        {
            content: "No done message was posted",
            trigger: ".o-mail-Chatter:not(:has(.o-mail-Message:contains('Call done')))",
        },
    ],
});
