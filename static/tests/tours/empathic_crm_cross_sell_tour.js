import { registry } from "@web/core/registry";

const SUGGESTIONS = ".o_empathy_suggestions .o_field_widget[name=empathy_suggestion_ids]";
// match the product cell only: the reasons mention the products too
const SHORTS = ".o_data_row:has(td[name=product_id]:contains('Swim Shorts'))";
const GUIDE = ".o_data_row:has(td[name=product_id]:contains('Hawaii Travel Guide'))";

registry.category("web_tour.tours").add("empathic_crm_cross_sell_tour", {
    steps: () => [
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
            content: "The suggestions are under the order lines, without switching tabs",
            trigger: `.o_notebook .nav-link.active[name=order_lines]`,
        },
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
        {
            content: "The customer's briefing is on the quotation",
            trigger: ".o_notebook .nav-link[name=empathy]",
            run: "click",
        },
        {
            content: "The briefing names the motives",
            trigger: ".o_field_widget[name=empathy_briefing]:contains('Hawaii trip')",
        },
    ],
});
