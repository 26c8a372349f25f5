import { registry } from "@web/core/registry";

/**
 * The marketer's path through Email Marketing with Empathic CRM: a mailing to the
 * contacts with a purchase motive, its fact version written in Odoo's mailing editor,
 * the story version made by the versions' button and written there too, both checked
 * (who gets which, one test mail of each), then the report by kind of customer.
 *
 * Both series: 18.0 shows the templates inside the editor's iframe, 19.0 above it
 * (one selector per series, valid in both, as in the main addon's tours).
 */

const SUBJECT = "Hawaii marathon season";
const STORY_SUBJECT = "Hawaii marathon season: your finish line in Kona";
const FACTS = "Kona marathon kit: 240 g shoes, 2 shirts, 15% off until March 31.";
const STORY = "Imagine the finish line in Kona, the ocean breeze after 42 km: we got you ready.";
const EDITOR = "[name=body_arch] :iframe .odoo-editor-editable";
const SPEAK_TAB = ".o_notebook .nav-link[name=empathy_versions]";

/**
 * Write ``text`` in the editor's paragraph as typing does: the tour's "editor" action
 * sets the text, then a key and an input event on the editable make it a step of the
 * editor's history, which the form saves (18.0's editor records an input as a step
 * only after a key went down in the editable; 19.0's records every input).
 *
 * @param {string} text
 * @returns {Function}
 */
function typeText(text) {
    return async function (helpers) {
        await helpers.editor(text);
        const editable = this.anchor.closest(".odoo-editor-editable");
        const view = editable.ownerDocument.defaultView;
        editable.dispatchEvent(new view.KeyboardEvent("keydown", { key: "Shift", bubbles: true }));
        this.anchor.dispatchEvent(
            new view.InputEvent("input", { inputType: "insertReplacementText", bubbles: true })
        );
        editable.dispatchEvent(new view.KeyboardEvent("keyup", { key: "Shift", bubbles: true }));
    };
}

/** Pick the basic ("Plain Text") template and write ``text`` as its first paragraph. */
function writeBody(text) {
    return [
        {
            content: "Pick the plain text template",
            trigger:
                ".o_mailing_template_preview_wrapper [data-name=basic], [name=body_arch] :iframe #basic",
            run: "click",
        },
        {
            content: "The editor shows the template",
            trigger: `${EDITOR} p:first`,
        },
        {
            content: "Write the mailing",
            trigger: `${EDITOR} p:first`,
            run: typeText(text),
        },
        {
            content: "The text is in the editor",
            trigger: `${EDITOR} p:contains('${text}')`,
        },
    ];
}

/** Save the mailing (the editor's text with it) and wait until it is saved. */
function save() {
    return [
        {
            content: "Save",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "Saved",
            trigger: ".o_form_view .o_form_saved",
        },
    ];
}

/** Open the "Speak each kind" page of the mailing. */
function openSpeakTab() {
    return [
        {
            content: "Open the page Speak each kind",
            trigger: SPEAK_TAB,
            run: "click",
        },
        {
            content: "Speak each kind is the page shown",
            trigger: `${SPEAK_TAB}.active`,
        },
    ];
}

/**
 * Give each step 30 s: the mailing form computes the recipients' counts again on every
 * change, and the editor loads in its iframe (a busy machine takes its time).
 *
 * @param {Object[]} steps
 * @returns {Object[]}
 */
function patiently(steps) {
    return steps.map((step) => ({ timeout: 30000, ...step }));
}

registry.category("web_tour.tours").add("empathic_crm_mass_mailing_marketer_tour", {
    steps: () => patiently([
        {
            content: "Create a mailing",
            trigger: ".o_control_panel .o_list_button_add",
            run: "click",
        },
        {
            content: "The subject",
            trigger: ".o_field_widget[name=subject] input",
            run: `edit ${SUBJECT}`,
        },
        {
            content: "Recipients: the contacts",
            trigger: ".o_field_widget[name=mailing_model_id] input",
            run: "edit Contact",
        },
        {
            content: "Pick Contact (not Mailing Contact)",
            trigger: ".o_field_widget[name=mailing_model_id] .o-autocomplete--dropdown-item a:contains(/^\\s*Contact\\s*$/)",
            run: "click",
        },
        {
            content: "The mailing asks for purchase motives",
            trigger: ".o_field_widget[name=empathy_motive_ids] input",
            run: "edit Marathon",
        },
        {
            content: "Pick the motive Marathon",
            trigger: ".o_field_widget[name=empathy_motive_ids] .o-autocomplete--dropdown-item a:contains('Marathon')",
            run: "click",
        },
        {
            content: "The motive is a tag of the mailing",
            trigger: ".o_field_widget[name=empathy_motive_ids] .o_tag:contains('Marathon')",
        },
        {
            content: "The mailing says who was left out because they object to profiling",
            trigger: ".o_field_widget[name=empathy_objection_excluded_count]:contains('1')",
        },
        ...writeBody(FACTS),
        ...save(),
        ...openSpeakTab(),
        {
            content: "Write a story version",
            trigger: ".o_form_view button[name=action_empathy_story_version]",
            run: "click",
        },
        {
            content: "The story version is open: a mailing of its own, the fact version one click away",
            trigger: "button[name=action_empathy_open_other_version]:contains('Fact version')",
        },
        {
            content: "It starts from the fact version's text",
            trigger: `${EDITOR} p:contains('${FACTS}')`,
        },
        {
            content: "A subject of its own",
            trigger: ".o_field_widget[name=subject] input",
            run: `edit ${STORY_SUBJECT}`,
        },
        {
            content: "Tell the story instead",
            trigger: `${EDITOR} p:contains('${FACTS}')`,
            run: typeText(STORY),
        },
        {
            content: "The story is in the editor",
            trigger: `${EDITOR} p:contains('${STORY}')`,
        },
        ...save(),
        ...openSpeakTab(),
        {
            content: "Who gets which version: one fact-oriented, one emotional contact",
            trigger:
                ".o_field_widget[name=empathy_version_summary]:contains('1 recipients get the fact version'):contains('1 the story version')",
        },
        {
            content: "This is the story version",
            trigger: ".o_form_view .o_field_widget[name=empathy_version]:contains('Story version')",
        },
        {
            content: "Test: a sample of each version to my address",
            trigger: ".o_form_view .o_form_statusbar button[name=action_test]",
            run: "click",
        },
        {
            content: "The test goes to the marketer's address",
            trigger: ".modal .o_field_widget[name=email_to] textarea:value(mara@example.com)",
        },
        {
            content: "Send the test",
            trigger: ".modal button[name=send_mail_test]",
            run: "click",
        },
        {
            content: "The dialog is closed",
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "Open the fact version",
            trigger: "button[name=action_empathy_open_other_version]",
            run: "click",
        },
        {
            content: "The fact version is open",
            trigger: "button[name=action_empathy_open_other_version]:contains('Story version')",
        },
        {
            content: "Its text is the facts",
            trigger: `${EDITOR} p:contains('${FACTS}')`,
        },
        {
            content: "Open Reporting",
            trigger: ".o_main_navbar [data-menu-xmlid='mass_mailing.menu_mass_mailing_report']",
            run: "click",
        },
        {
            content: "Open What works for whom",
            trigger: ".dropdown-menu [data-menu-xmlid='empathic_crm_mass_mailing.empathy_mailing_kind_report_menu']",
            run: "click",
        },
        {
            content: "The report shows the story version's responses of emotional customers",
            trigger: ".o_pivot thead th:contains('Story version')",
        },
        {
            content: "A row per kind of customer",
            trigger: ".o_pivot tbody th:contains('Emotion- and design-oriented')",
        },
    ]),
});
