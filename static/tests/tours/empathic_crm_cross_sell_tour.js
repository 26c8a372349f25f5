import { registry } from "@web/core/registry";

const SUGGESTIONS = ".o_empathy_suggestions .o_field_widget[name=empathy_suggestion_ids]";
// match the product cell only: the reasons mention the products too
const SHORTS = ".o_data_row:has(td[name=product_id]:contains('Swim Shorts'))";
const GUIDE = ".o_data_row:has(td[name=product_id]:contains('Hawaii Travel Guide'))";
// 19.0: the suggestions are order lines (product column: the product template)
const LINES = ".o_form_view .o_field_widget[name=order_line]";
const LINE_SHORTS = ".o_data_row:has(td[name=product_template_id]:contains('Swim Shorts'))";
const LINE_GUIDE = ".o_data_row:has(td[name=product_template_id]:contains('Hawaii Travel Guide'))";

/** The steps of both series: the quotation, the button, the notification. */
const askSteps = () => [
    {
        timeout: 30000, // the first view may load slowly on a busy machine
        content: "Wait for the quotation with the running shirt",
        trigger: ".o_form_view .o_field_widget[name=order_line] .o_data_row:contains('Running Shirt')",
    },
    {
        content: "Ask for empathic suggestions",
        trigger: ".o_form_view .o_statusbar_buttons button[name=action_empathy_suggest]",
        run: "click",
    },
    {
        content: "A notification says how many were added and why",
        trigger: ".o_notification:contains('2 suggestions added'):contains('marathon is in Hawaii')",
    },
    {
        content: "The suggestions are on the order lines' tab, without switching tabs",
        trigger: `.o_notebook .nav-link.active[name=order_lines]`,
    },
];

const briefingSteps = () => [
    {
        content: "The customer's briefing is on the quotation",
        trigger: ".o_notebook .nav-link[name=empathy]",
        run: "click",
    },
    {
        content: "The briefing names the motives",
        trigger: ".o_field_widget[name=empathy_briefing]:contains('Hawaii trip')",
    },
];

registry.category("web_tour.tours").add("empathic_crm_cross_sell_tour", {
    // 18.0: the suggestions are optional products, listed under the order lines
    steps: () => [
        ...askSteps(),
        {
            content: "The reason is shown with the suggestions of its rule",
            trigger: `${SUGGESTIONS} td[name=empathy_reason_shown]:contains('marathon is in Hawaii')`,
        },
        {
            content: "The swim shorts and the travel guide are suggested, names in full",
            trigger: `${SUGGESTIONS}:has(${SHORTS}) ${GUIDE} td[name=product_id]:contains('Tour Hawaii Travel Guide')`,
        },
        {
            content: "Every suggested product shows its reason",
            trigger: `${SUGGESTIONS} ${GUIDE}`,
            run() {
                const rows = document.querySelectorAll(`${SUGGESTIONS} .o_data_row`);
                if (rows.length < 2) {
                    throw new Error(`expected the two suggestions, got ${rows.length} rows`);
                }
                for (const row of rows) {
                    const product = row.querySelector("td[name=product_id]")?.textContent.trim();
                    const reason = row.querySelector("td[name=empathy_reason_shown]")?.textContent.trim();
                    if (!reason) {
                        throw new Error(`no reason beside ${product}`);
                    }
                }
            },
        },
        {
            content: "Add the swim shorts to the order in one click",
            trigger: `${SUGGESTIONS} ${SHORTS} button[name=button_add_to_order]`,
            run: "click",
        },
        {
            content: "The order line exists",
            trigger: ".o_field_widget[name=order_line] .o_data_row:contains('Swim Shorts')",
        },
        {
            content: "The swim shorts suggestion is marked as added",
            trigger: `${SUGGESTIONS} ${SHORTS}.text-success:not(:has(button[name=button_add_to_order]))`,
        },
        ...briefingSteps(),
    ],
});

registry.category("web_tour.tours").add("empathic_crm_cross_sell_lines_tour", {
    // 19.0: the suggestions are order lines of quantity 0 in an optional section
    steps: () => [
        ...askSteps(),
        {
            content: "The suggestions have their optional section at the end of the order",
            trigger: `${LINES} .o_data_row:last-child:contains('Hawaii Travel Guide')`,
        },
        {
            content: "The section of the suggestions is there",
            trigger: `${LINES} .o_data_row:contains('Suggested for this customer')`,
        },
        {
            content: "The reason is shown on the suggested lines",
            trigger: `${LINES} ${LINE_GUIDE} td[name=empathy_reason_shown]:contains('marathon is in Hawaii')`,
        },
        {
            content: "Every suggested line shows its reason, the running shirt none",
            trigger: `${LINES} ${LINE_SHORTS}`,
            run() {
                const rows = document.querySelectorAll(`${LINES} .o_data_row`);
                const reasons = {};
                for (const row of rows) {
                    const product = row.querySelector("td[name=product_template_id]")?.textContent.trim();
                    if (product) {
                        reasons[product] = row.querySelector("td[name=empathy_reason_shown]")?.textContent.trim();
                    }
                }
                for (const [product, reason] of Object.entries(reasons)) {
                    const suggested = /Swim Shorts|Hawaii Travel Guide/.test(product);
                    if (suggested !== Boolean(reason)) {
                        throw new Error(`${product}: reason "${reason || ""}"`);
                    }
                }
            },
        },
        {
            content: "Choose the swim shorts: quantity 1",
            trigger: `${LINES} ${LINE_SHORTS} td[name=product_uom_qty]`,
            run: "click",
        },
        {
            content: "Type the quantity",
            trigger: `${LINES} ${LINE_SHORTS} td[name=product_uom_qty] input`,
            run: "edit 1",
        },
        {
            content: "Save the quotation",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "Saved",
            trigger: ".o_form_view .o_form_saved",
        },
        ...briefingSteps(),
    ],
});
