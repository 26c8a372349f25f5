import { registry } from "@web/core/registry";
import {
    assertNoHorizontalScroll,
    assertPhoneViewport,
    openEmpathyTab,
} from "./empathic_crm_tour_steps";

const tours = registry.category("web_tour.tours");
const CARDS = ".o_field_widget[name=empathy_impression_ids] .o_empathy_impression_cards";
const MOOD_WORDS = ["Angry", "Unhappy", "Neutral", "Pleased", "Delighted"];
/** Emoji need a colour font that not every machine has: text and Odoo's icon font only */
const EMOJI = /\p{Extended_Pictographic}/u;

/**
 * Fail when an element lies (partly) outside the visible width of the window.
 *
 * @param {Element} el
 * @param {string} what
 */
function assertInsideWindow(el, what) {
    const rect = el.getBoundingClientRect();
    if (rect.width === 0 || rect.left < -1 || rect.right > window.innerWidth + 1) {
        throw new Error(`${what} is cut: ${rect.left}..${rect.right} of ${window.innerWidth}px`);
    }
}

tours.add("empathic_crm_impression_cards_phone_tour", {
    steps: () => [
        {
            timeout: 30000, // the first view may load slowly on a busy machine
            content: "Phone layout (390×844)",
            trigger: ".o_form_view .o_field_widget[name=name]",
            run: assertPhoneViewport,
        },
        ...openEmpathyTab(),
        {
            content: "The impressions are cards, not a table",
            trigger: `${CARDS} .o_kanban_record:contains('first marathon')`,
            run() {
                const field = document.querySelector(".o_field_widget[name=empathy_impression_ids]");
                if (field.querySelector("table")) {
                    throw new Error("the impressions are a table on a phone");
                }
            },
        },
        {
            content: "The card shows date, advisor, five whole stars, the mood in words",
            trigger: `${CARDS} .o_kanban_record:contains('first marathon')`,
            run() {
                const card = this.anchor;
                assertInsideWindow(card, "the card");
                const date = card.querySelector(".o_field_widget[name=date]")?.textContent.trim();
                if (!date) {
                    throw new Error("the card has no date");
                }
                if (/\d:\d\d/.test(date)) {
                    throw new Error(`the card's date has a time of day: "${date}"`);
                }
                if (!card.textContent.includes("Ben Best")) {
                    throw new Error("the card does not name the advisor");
                }
                const stars = card.querySelectorAll(".o_empathy_rapport .o_priority_star.fa-star");
                if (stars.length !== 5) {
                    throw new Error(`expected five full stars, got ${stars.length}`);
                }
                stars.forEach((star, i) => assertInsideWindow(star, `star ${i + 1}`));
                const mood = card.querySelector(".o_empathy_mood")?.textContent.trim();
                if (mood !== "Delighted") {
                    throw new Error(`the mood is not said in words: "${mood}"`);
                }
                assertInsideWindow(card.querySelector(".o_empathy_mood"), "the mood");
            },
        },
        {
            content: "A long note is kept to three lines on its card",
            trigger: `${CARDS} .o_kanban_record .o_empathy_card_note:contains('first marathon')`,
            run() {
                const note = this.anchor;
                const lineHeight = parseFloat(getComputedStyle(note).lineHeight) || 21;
                const height = note.getBoundingClientRect().height;
                if (height > lineHeight * 3.5) {
                    throw new Error(`the note takes ${height}px (${lineHeight}px a line)`);
                }
                const card = note.closest(".o_kanban_record");
                if (card.getBoundingClientRect().height > 260) {
                    throw new Error(`the card is ${card.getBoundingClientRect().height}px high`);
                }
            },
        },
        {
            content: "Every card says its mood in words",
            trigger: `${CARDS} .o_kanban_record`,
            run() {
                for (const card of document.querySelectorAll(`${CARDS} .o_kanban_record:not(.o_kanban_ghost)`)) {
                    const mood = card.querySelector(".o_empathy_mood")?.textContent.trim();
                    if (!MOOD_WORDS.includes(mood)) {
                        throw new Error(`a card's mood is "${mood}"`);
                    }
                }
            },
        },
        {
            content: "Nothing scrolls sideways",
            trigger: CARDS,
            run: assertNoHorizontalScroll,
        },
    ],
});

tours.add("empathic_crm_pipeline_phone_tour", {
    steps: () => [
        {
            timeout: 30000,
            content: "The card's badge says in words what its figure is",
            trigger: ".o_kanban_record:contains('Hawaii kit') .o_empathy_my_rapport:contains('My rapport')",
            run() {
                const label = [...this.anchor.querySelectorAll("span")].find((el) =>
                    el.textContent.includes("My rapport")
                );
                if (!label || label.getBoundingClientRect().width === 0) {
                    throw new Error("the badge's words are hidden on a phone");
                }
                assertInsideWindow(this.anchor, "the badge");
            },
        },
    ],
});

tours.add("empathic_crm_suggestion_phone_tour", {
    steps: () => [
        {
            timeout: 30000,
            content: "Phone layout (390×844)",
            trigger: ".o_kanban_record:contains('Lea\\'s first shoes')",
            run: assertPhoneViewport,
        },
        {
            content: "The card says in words who is likely to click, not only an avatar",
            trigger: ".o_kanban_record:contains('Lea\\'s first shoes') .o_empathy_suggested_user:contains('Likely to click'):contains('Ben Best')",
            run() {
                for (const selector of [".o_empathy_suggested_words", ".o_empathy_suggested_name"]) {
                    assertInsideWindow(this.anchor.querySelector(selector), selector);
                }
            },
        },
        {
            content: "Open the lead",
            trigger: ".o_kanban_record:contains('Lea\\'s first shoes')",
            run: "click",
        },
        {
            content: "The lead says what the mark means and why, in words a phone shows",
            trigger: ".o_form_view .o_empathy_suggested_user .o_empathy_suggested_reason:contains('Ben Best is expected to click best')",
            run() {
                const reason = this.anchor;
                assertInsideWindow(reason, "the reason");
                const text = reason.textContent;
                if (/\d[.,]\d/.test(text)) {
                    throw new Error(`a colleague's figures on a salesperson's lead: "${text}"`);
                }
                const style = getComputedStyle(reason.querySelector("span") || reason);
                if (style.textOverflow === "ellipsis" && reason.scrollWidth > reason.clientWidth + 1) {
                    throw new Error("the reason is cut");
                }
            },
        },
        {
            content: "Nothing scrolls sideways",
            trigger: ".o_form_view .o_empathy_suggested_user",
            run: assertNoHorizontalScroll,
        },
    ],
});

const WIZARD = ".modal .o_field_widget[name=line_ids]";
const THIN_ROW = `${WIZARD} .o_data_row:contains('Theo Thinevidence')`;

/** Fail when a header or a cell of the wizard's list is cut (an ellipsis). */
function assertNothingCut() {
    const cells = document.querySelectorAll(`${WIZARD} th, ${WIZARD} td`);
    const cut = [...cells].filter((cell) => {
        const text = cell.querySelector(".text-truncate, span, a") || cell;
        return cell.offsetParent && cell.textContent.trim() && text.scrollWidth > text.clientWidth + 1;
    });
    if (cut.length) {
        throw new Error(`cut: ${cut.map((cell) => cell.textContent.trim()).join(" | ")}`);
    }
}

tours.add("empathic_crm_assign_wizard_tour", {
    steps: () => [
        {
            timeout: 30000,
            content: "Select Theo",
            trigger: ".o_data_row:contains('Theo Thinevidence') .o_list_record_selector input",
            run: "click",
        },
        {
            content: "and Jonas",
            trigger: ".o_data_row:contains('Jonas Keller') .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Open the actions",
            trigger: ".o_control_panel .o_cp_action_menus button",
            run: "click",
        },
        {
            content: "Assign to best advisor",
            trigger: ".o-dropdown--menu .o-dropdown-item:contains('Assign to best advisor')",
            run: "click",
        },
        {
            content: "Theo's evidence is thin: not moved unless the manager says so",
            trigger: `${THIN_ROW} .o_field_widget[name=selected] input:not(:checked)`,
        },
        {
            content: "The counter speaks of the customers to move",
            trigger: ".modal .o_empathy_assign_counter:contains('to move')",
            run() {
                if (/selected/.test(this.anchor.textContent)) {
                    throw new Error(`the counter: "${this.anchor.textContent.trim()}"`);
                }
            },
        },
        {
            content: "Nothing is cut",
            trigger: THIN_ROW,
            run: assertNothingCut,
        },
        {
            content: "Switch Theo's row on",
            trigger: `${THIN_ROW} .o_field_widget[name=selected] input`,
            run: "click",
        },
        {
            content: "The list loses the focus",
            trigger: ".modal .o_empathy_assign_counter",
            run: "click",
        },
        {
            content: "Theo is counted with Jonas",
            trigger: ".modal .o_empathy_assign_counter .o_field_widget[name=change_count]:contains('2')",
        },
        {
            content: "The switch stays on",
            trigger: `${THIN_ROW} .o_field_widget[name=selected] input:checked`,
        },
        {
            content: "Click another row's name: the list loses the focus again",
            trigger: `${WIZARD} .o_data_row:contains('Jonas Keller') td[name=partner_id]`,
            run: "click",
        },
        {
            content: "Leave the list",
            trigger: ".modal .o_empathy_assign_counter",
            run: "click",
        },
        {
            content: "Theo's switch is still on, still counted",
            trigger: ".modal:has(.o_field_widget[name=change_count]:contains('2')) .o_data_row:contains('Theo Thinevidence') .o_field_widget[name=selected] input:checked",
        },
        {
            content: "Assign",
            trigger: ".modal button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The dialog is closed",
            trigger: "body:not(:has(.modal))",
        },
    ],
});

/** the Measures of the rapport report, read when the menu is open */
function assertMeasures() {
    const items = [...document.querySelectorAll(".o-dropdown--menu .o-dropdown-item, .o-dropdown--menu .dropdown-item")];
    const names = items.map((el) => el.textContent.trim()).filter(Boolean);
    if (!names.includes("Fair rapport")) {
        throw new Error(`no "Fair rapport" among the measures: ${names.join(", ")}`);
    }
    const internal = names.filter((name) =>
        /^Sum W|Weight|Advisor's average|Team average/.test(name)
    );
    if (internal.length) {
        throw new Error(`internal figures offered as measures: ${internal.join(", ")}`);
    }
}

tours.add("empathic_crm_rapport_report_tour", {
    steps: () => [
        {
            timeout: 30000,
            content: "The report opens as a pivot of customers",
            trigger: ".o_pivot table tbody th:contains('Jonas Keller')",
            run() {
                const head = document.querySelector(".o_pivot table thead").textContent;
                for (const advisor of ["Ben Best", "Mitchell Admin"]) {
                    if (head.includes(advisor)) {
                        throw new Error(`a column per advisor: ${advisor}`);
                    }
                }
                // level 1 (padding 35px) are customers; advisors only nested below them
                const level1 = [...document.querySelectorAll(".o_pivot tbody th")].filter(
                    (th) => th.style.paddingLeft === "35px"
                );
                const titles = level1.map((th) => th.textContent.trim());
                if (!titles.includes("Jonas Keller")) {
                    throw new Error(`the first level is not the customers: ${titles.join(", ")}`);
                }
                const advisors = titles.filter((t) => ["Ben Best", "Mitchell Admin"].includes(t));
                if (advisors.length) {
                    throw new Error(`a total per advisor: ${advisors.join(", ")}`);
                }
            },
        },
        {
            content: "The fair rapport reads as in every sentence: one decimal",
            trigger: ".o_pivot tbody tr:has(th:contains('Jonas Keller')) td.o_pivot_cell_value",
            run() {
                const figure = this.anchor.textContent.trim();
                if (!/^\d[.,]\d$/.test(figure)) {
                    throw new Error(`the fair rapport reads "${figure}"`);
                }
            },
        },
        {
            content: "The title says what the figures describe",
            trigger: ".o_breadcrumb:contains('not performance')",
        },
        {
            content: "Open the measures",
            trigger: ".o_pivot_buttons button:contains('Measures'), .o_control_panel button:contains('Measures')",
            run: "click",
        },
        {
            content: "Only real measures are offered",
            trigger: ".o-dropdown--menu:contains('Fair rapport')",
            run: assertMeasures,
        },
        {
            content: "Switch to the graph",
            trigger: ".o_switch_view.o_graph",
            run: "click",
        },
        {
            content: "The graph's bars are customers, not advisors",
            trigger: ".o_graph_renderer canvas",
            async run() {
                const canvas = this.anchor;
                const chart = window.Chart && window.Chart.getChart(canvas);
                if (!chart) {
                    throw new Error("no chart on the canvas");
                }
                const labels = chart.data.labels.map(String);
                if (!labels.some((label) => label.includes("Jonas Keller"))) {
                    throw new Error(`the x-axis is not the customers: ${labels.join(", ")}`);
                }
                if (labels.some((label) => /Ben Best|Mitchell Admin/.test(label))) {
                    throw new Error(`a bar per advisor: ${labels.join(", ")}`);
                }
            },
        },
        {
            content: "The graph's values are scores (1-5), never a sum of scores",
            trigger: ".o_graph_renderer canvas",
            run() {
                assertScoresNotSummed(this.anchor, 1, 5);
            },
        },
        {
            content: "The graph says what its figure is",
            trigger: ".o_graph_renderer .o_empathy_measure_help:contains('Fair rapport')",
        },
        {
            content: "Open the graph's measures",
            trigger: ".o_control_panel button:contains('Measures'), .o_graph_view button:contains('Measures')",
            run: "click",
        },
        {
            content: "The graph offers only real measures too",
            trigger: ".o-dropdown--menu:contains('Fair rapport')",
            run: assertMeasures,
        },
    ],
});

/**
 * Fail unless the chart on ``canvas`` shows each figure as it is: bars side by side
 * (no stack, no "Sum" line) and every value within [min, max] (0: no bar).
 *
 * @param {HTMLCanvasElement} canvas
 * @param {number} min
 * @param {number} max
 * @returns {Object} the chart
 */
function assertScoresNotSummed(canvas, min, max) {
    const chart = window.Chart && window.Chart.getChart(canvas);
    if (!chart) {
        throw new Error("no chart on the canvas");
    }
    const datasets = chart.data.datasets;
    const sums = datasets.filter((dataset) => /Sum/.test(dataset.label || ""));
    if (sums.length) {
        throw new Error(`a sum line: ${sums.map((dataset) => dataset.label).join(", ")}`);
    }
    const scales = chart.options.scales || {};
    if (scales.x?.stacked || scales.y?.stacked) {
        throw new Error("the bars are stacked: their heights add up");
    }
    const values = datasets.flatMap((dataset) => dataset.data).filter((value) => value);
    if (!values.length) {
        throw new Error("the graph shows no value");
    }
    const outside = values.filter((value) => value < min || value > max);
    if (outside.length) {
        throw new Error(`values outside ${min}-${max}: ${outside.join(", ")}`);
    }
    return chart;
}

const ADVISORS = /Ben Best|Mitchell Admin/;

tours.add("empathic_crm_kind_report_tour", {
    steps: () => [
        {
            timeout: 30000,
            content: "The report opens as a pivot of kinds of customers",
            trigger: ".o_pivot table tbody th:contains('Emotion- and design-oriented')",
            run() {
                const head = document.querySelector(".o_pivot table thead").textContent;
                if (ADVISORS.test(head)) {
                    throw new Error(`a column per advisor: ${head}`);
                }
                const level1 = [...document.querySelectorAll(".o_pivot tbody th")].filter(
                    (th) => th.style.paddingLeft === "35px"
                );
                const titles = level1.map((th) => th.textContent.trim());
                if (!titles.includes("Emotion- and design-oriented")) {
                    throw new Error(`the first level is not the kinds: ${titles.join(", ")}`);
                }
                const advisors = titles.filter((title) => ADVISORS.test(title));
                if (advisors.length) {
                    throw new Error(`a total per advisor: ${advisors.join(", ")}`);
                }
                // the advisors are there, below their kind
                if (!ADVISORS.test(document.querySelector(".o_pivot tbody").textContent)) {
                    throw new Error("no advisor below the kinds");
                }
            },
        },
        {
            content: "The fair deviation is explained on the screen",
            trigger: ".o_empathy_measure_help:contains('Fair deviation'):contains('not performance')",
        },
        {
            content: "The count says what it counts",
            trigger: ".o_pivot thead:contains('Relationships'):not(:contains('Customers'))",
        },
        {
            content: "The fair deviation reads with one decimal, as on the contact",
            trigger: ".o_pivot tbody tr:has(th:contains('Emotion- and design-oriented')) td.o_pivot_cell_value",
            run() {
                const figure = this.anchor.textContent.trim();
                if (!/^[-−+]?\d+[.,]\d$/.test(figure)) {
                    throw new Error(`the fair deviation reads "${figure}"`);
                }
            },
        },
        {
            content: "Open the search options",
            trigger: ".o_searchview_dropdown_toggler",
            run: "click",
        },
        {
            content: "Add Custom Group offers no technical key or dimension",
            trigger: ".o_add_custom_group_menu",
            run() {
                const options = [...this.anchor.options].map((option) => option.textContent.trim());
                if (!options.includes("Advisor")) {
                    throw new Error(`no "Advisor" to group by: ${options.join(", ")}`);
                }
                const technical = options.filter((name) => ["Key", "Dimension"].includes(name));
                if (technical.length) {
                    throw new Error(`technical groupings offered: ${technical.join(", ")}`);
                }
            },
        },
        {
            content: "Close the search options",
            trigger: ".o_searchview_dropdown_toggler",
            run: "click",
        },
        {
            content: "Switch to the graph",
            trigger: ".o_switch_view.o_graph",
            run: "click",
        },
        {
            content: "The graph's bars are kinds, its advisors side by side: no sum per advisor",
            trigger: ".o_graph_renderer canvas",
            run() {
                const chart = assertScoresNotSummed(this.anchor, -4, 4);
                const labels = chart.data.labels.map(String);
                if (labels.some((label) => ADVISORS.test(label))) {
                    throw new Error(`a bar per advisor: ${labels.join(", ")}`);
                }
            },
        },
    ],
});

tours.add("empathic_crm_dialog_labels_tour", {
    steps: () => [
        {
            timeout: 30000,
            content: "Mark the call done from the chatter",
            trigger: ".o-mail-Activity:contains('Discuss the Hawaii trip') .o-mail-Activity-markDone",
            run: "click",
        },
        {
            content: "Every visible input of the dialog has a label",
            trigger: ".modal .o_empathy_impression_wizard .o_field_widget[name=note] textarea",
            run() {
                const dialog = document.querySelector(".modal .o_empathy_impression_wizard");
                const inputs = [...dialog.querySelectorAll("input, textarea, select")].filter(
                    (el) => el.type !== "hidden" && el.offsetParent !== null
                );
                if (inputs.length < 4) {
                    throw new Error(`only ${inputs.length} inputs found`);
                }
                const unlabelled = inputs.filter((el) => {
                    const label = [...(el.labels || [])].map((l) => l.textContent.trim()).join("");
                    return !label && !el.getAttribute("aria-label");
                });
                if (unlabelled.length) {
                    throw new Error(
                        `inputs without a label: ${unlabelled
                            .map((el) => el.closest(".o_field_widget")?.getAttribute("name") || el.outerHTML)
                            .join(", ")}`
                    );
                }
                const labels = [...dialog.querySelectorAll(".o_form_label")].map((l) => l.textContent.trim());
                for (const name of ["Did we click?", "Customer's mood", "Channel", "Note"]) {
                    if (!labels.some((label) => label.startsWith(name))) {
                        throw new Error(`no label "${name}": ${labels.join(" | ")}`);
                    }
                }
                const doubled = labels.filter((label) => /\?\s*\?/.test(label));
                if (doubled.length || /\?\s*\?/.test(dialog.textContent)) {
                    throw new Error(`a doubled question mark: ${doubled.join(" | ")}`);
                }
            },
        },
        {
            content: "The briefing in the dialog is text and icons, no emoji",
            trigger: ".modal .o_empathy_wizard_briefing:contains('Born to Run')",
            run() {
                const text = this.anchor.textContent;
                const found = text.match(EMOJI);
                if (found) {
                    throw new Error(`an emoji in the briefing: "${found[0]}"`);
                }
            },
        },
        {
            content: "The last impression is offered in words, no emoji",
            trigger: ".modal .o_empathy_same_as_last",
            run() {
                const found = this.anchor.textContent.match(EMOJI);
                if (found) {
                    throw new Error(`an emoji beside Same as last time: "${found[0]}"`);
                }
            },
        },
        {
            content: "Click the 4th star",
            trigger: ".modal .o_field_widget[name=rapport] .o_priority_star[aria-label='Good']",
            run: "click",
        },
        {
            content: "Pick the customer's mood",
            trigger: ".modal .o_field_widget[name=mood] .o_selection_badge:contains('Pleased')",
            run: "click",
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
