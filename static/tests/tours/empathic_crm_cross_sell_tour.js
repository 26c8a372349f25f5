import { registry } from "@web/core/registry";

const OPTIONS = ".o_field_widget[name=sale_order_option_ids]";
// match the product cell only: the reasons mention the products too
const SHORTS = ".o_data_row:has(td[name=product_id]:contains('Swim Shorts'))";

registry.category("web_tour.tours").add("empathic_crm_cross_sell_tour", {
    steps: () => [
        {
            content: "Wait for the quotation with the running shirt",
            trigger: ".o_form_view .o_field_widget[name=order_line] .o_data_row:contains('Running Shirt')",
        },
        {
            content: "Ask for empathic suggestions",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_empathy_suggest]",
            run: "click",
        },
        {
            content: "Open the optional products",
            trigger: ".o_notebook .nav-link[name=optional_products]",
            run: "click",
        },
        {
            content: "The swim shorts are suggested, with the reason",
            trigger: `${OPTIONS} ${SHORTS} td[name=empathy_reason]:contains('marathon is in Hawaii')`,
        },
        {
            content: "The travel guide is suggested too",
            trigger: `${OPTIONS} .o_data_row:has(td[name=product_id]:contains('Hawaii Travel Guide'))`,
        },
        {
            content: "Add the swim shorts to the order",
            trigger: `${OPTIONS} ${SHORTS} button[name=button_add_to_order]`,
            run: "click",
        },
        {
            content: "The swim shorts are on the order now",
            trigger: `${OPTIONS} ${SHORTS}.text-success:not(:has(button[name=button_add_to_order]))`,
        },
        {
            content: "Back to the order lines",
            trigger: ".o_notebook .nav-link[name=order_lines]",
            run: "click",
        },
        {
            content: "The order line exists",
            trigger: ".o_field_widget[name=order_line] .o_data_row:contains('Swim Shorts')",
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
