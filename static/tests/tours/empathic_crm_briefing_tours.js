import { registry } from "@web/core/registry";
import { assertNoHorizontalScroll, assertPhoneViewport } from "./empathic_crm_tour_steps";

const tours = registry.category("web_tour.tours");

/**
 * Rate 5 stars and "Pleased" (the dialog may prefill the last rating: clicking the
 * same star again would clear it).
 *
 * @returns {Object[]}
 */
function ratePerfectAndPleased() {
    return [
        {
            content: "Click the 5th star",
            trigger: ".modal .o_field_widget[name=rapport] .o_priority_star[aria-label='We clicked perfectly']",
            run: "click",
        },
        {
            content: "Pick the customer's mood",
            trigger: ".modal .o_field_widget[name=mood] .o_selection_badge:contains('Pleased')",
            run: "click",
        },
        {
            content: "The mood is selected",
            trigger: ".modal .o_field_widget[name=mood] .o_selection_badge.active:contains('Pleased')",
        },
    ];
}

/** the rapport figure read on the pipeline card, compared with the briefing */
let myRapport = "";

tours.add("empathic_crm_pipeline_tour", {
    steps: () => [
        {
            content: "The pipeline card shows the mood trend and my rapport",
            trigger:
                ".o_kanban_record:contains('Hawaii kit') .o_empathy_kanban_badge:has(.o_empathy_mood_trend.fa-arrow-down) .o_empathy_my_rapport",
            run() {
                // one rapport figure: the card's is the one the briefing says is mine
                myRapport = this.anchor.textContent.replace(/[^\d.,]/g, "");
                if (!/^\d[.,]\d$/.test(myRapport)) {
                    throw new Error(`the card's rapport is not one figure: "${myRapport}"`);
                }
            },
        },
        {
            content: "Open the opportunity",
            trigger: ".o_kanban_record:contains('Hawaii kit') .o_kanban_record_title, .o_kanban_record:contains('Hawaii kit')",
            run: "click",
        },
        {
            content: "The form shows the customer's compact briefing",
            trigger:
                ".o_form_view .o_empathy_briefing_box .o_field_widget[name=empathy_briefing]:contains('Born to Run'):contains('Emotion-oriented')",
        },
        {
            content: "... with the last impression, its author and date",
            trigger: ".o_field_widget[name=empathy_briefing]:contains('Last impression'):contains('Talked about Kona')",
        },
        {
            content: "... and the same rapport figure as the card, mine",
            trigger: ".o_field_widget[name=empathy_briefing]:contains('Rapport:')",
            run() {
                const text = this.anchor.textContent;
                if (!text.includes(`yours ${myRapport} / 5`)) {
                    throw new Error(`the briefing's rapport differs from the card's ${myRapport}`);
                }
            },
        },
    ],
});

tours.add("empathic_crm_dialog_briefing_tour", {
    steps: () => [
        {
            content: "Click Mark Done on the Call activity in the chatter",
            trigger: ".o-mail-Activity:contains('Discuss the Hawaii trip') .o-mail-Activity-markDone",
            run: "click",
        },
        {
            content: "The dialog starts with what we knew before and the last impression",
            trigger:
                ".modal .o_empathy_wizard_briefing:contains('Born to Run'):contains('Last impression')",
        },
        ...ratePerfectAndPleased(),
        {
            content: "Click Done in the impression dialog",
            trigger: ".modal button.o_empathy_confirm",
            run: "click",
        },
        {
            content: "The dialog is closed",
            trigger: "body:not(:has(.modal))",
        },
    ],
});

tours.add("empathic_crm_dialog_phone_tour", {
    steps: () => [
        {
            content: "Mobile layout (390×844)",
            trigger: ".o_web_client",
            run: assertPhoneViewport,
        },
        {
            content: "Mark the call done from the chatter",
            trigger: ".o-mail-Activity:contains('Discuss the Hawaii trip') .o-mail-Activity-markDone",
            run: "click",
        },
        {
            content: "The briefing is in the dialog, without horizontal scrolling",
            trigger: ".modal .o_empathy_wizard_briefing:contains('Born to Run')",
            run: assertNoHorizontalScroll,
        },
        {
            content: "The stars are large enough to tap",
            trigger: ".modal .o_field_widget[name=rapport] .o_priority_star[aria-label='Good']",
            run() {
                const star = document.querySelector(
                    ".modal .o_field_widget[name=rapport] .o_priority_star[aria-label='Good']"
                );
                const rect = star.getBoundingClientRect();
                if (rect.width < 40 || rect.height < 40) {
                    throw new Error(`star too small to tap: ${rect.width}×${rect.height}`);
                }
            },
        },
        ...ratePerfectAndPleased(),
        {
            content: "Still no horizontal scrolling",
            trigger: ".modal .o_field_widget[name=mood] .o_selection_badge.active",
            run: assertNoHorizontalScroll,
        },
        {
            content: "Confirm",
            trigger: ".modal button.o_empathy_confirm",
            run: "click",
        },
        {
            content: "The dialog is closed",
            trigger: "body:not(:has(.modal))",
        },
    ],
});

tours.add("empathic_crm_composer_hint_tour", {
    steps: () => [
        {
            content: "Open the message composer in the chatter",
            trigger: ".o-mail-Chatter-sendMessage",
            run: "click",
        },
        {
            content: "Open the full composer",
            // one selector per series, valid in both: 18.0's button has a class,
            // 19.0's is a composer action (mail/static/src/core/common/composer_actions.js)
            trigger: ".o-mail-Composer-fullComposer, button[name='open-full-composer']",
            run: "click",
        },
        {
            content: "The composer shows how to write to Jonas, above the body",
            trigger:
                ".modal .o_empathy_style_hint:contains('Jonas Keller'):contains('Emotion-oriented: tell a story')",
        },
        {
            content: "The hint is not in the mail body",
            trigger: ".modal .o_field_widget[name=body]:not(:contains('Emotion-oriented'))",
        },
        {
            content: "Write the mail",
            trigger: ".modal .o_field_widget[name=body] .odoo-editor-editable",
            run: "editor Aloha Jonas",
        },
        {
            content: "Send it",
            trigger: ".modal .modal-footer button.btn-primary:contains('Send')",
            run: "click",
        },
        {
            content: "The mail is in the chatter",
            trigger: ".o-mail-Message:contains('Aloha Jonas')",
        },
    ],
});

tours.add("empathic_crm_calendar_tour", {
    steps: () => [
        {
            content: "The meeting shows the attendee's briefing",
            trigger:
                ".o_form_view .o_field_widget[name=empathy_briefing]:contains('Jonas Keller'):contains('Born to Run')",
        },
    ],
});

tours.add("empathic_crm_handover_tour", {
    steps: () => [
        {
            content: "Open the Action menu",
            trigger: ".o_cp_action_menus button:has(.fa-cog)",
            run: "click",
        },
        {
            content: "Assign to best advisor",
            trigger: ".o-dropdown--menu .o-dropdown-item:contains('Assign to best advisor')",
            run: "click",
        },
        {
            content: "The preview names the new salesperson; confirm",
            trigger: ".modal:contains('Ben Best') button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The new salesperson's To-Do is in the chatter, with the briefing",
            trigger:
                ".o-mail-Activity:contains('Handover') .o_empathy_activity_briefing:contains('Born to Run'):contains('Last impressions')",
        },
        {
            content: "The previous salesperson's rapport (managers only)",
            trigger: ".o_empathy_activity_briefing:contains('Previous salesperson')",
        },
    ],
});

tours.add("empathic_crm_activity_popover_tour", {
    steps: () => [
        {
            content: "Open the activity popover of the opportunity card",
            trigger: ".o_kanban_record:contains('Hawaii kit') .o-mail-ActivityButton",
            run: "click",
        },
        {
            content: "The call (needs an impression) shows the briefing in the popover",
            trigger: ".o-mail-ActivityListPopoverItem .o_empathy_activity_briefing:contains('Born to Run')",
        },
    ],
});
