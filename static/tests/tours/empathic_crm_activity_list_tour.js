import { registry } from "@web/core/registry";
import { confirmDialog, rateGoodAndPleased } from "./empathic_crm_tour_steps";

const CALL_ROW = ".o_list_view .o_data_row:contains('Discuss the Hawaii trip')";
const TODO_ROW = ".o_list_view .o_data_row:contains('Send the race photos')";

// Action ▸ Archive on a gated activity: archived counts as done, so the gate applies
registry.category("web_tour.tours").add("empathic_crm_archive_tour", {
    steps: () => [
        {
            timeout: 30000, // the first view may load slowly on a busy machine
            content: "Select the Call activity",
            trigger: `${CALL_ROW} .o_list_record_selector input`,
            run: "click",
        },
        {
            content: "Open the Actions menu",
            trigger: ".o_control_panel .o_cp_action_menus button",
            run: "click",
        },
        {
            content: "Archive",
            trigger: ".o-dropdown--menu .dropdown-item:contains('Archive')",
            run: "click",
        },
        {
            content: "Confirm archiving",
            trigger: ".modal .modal-footer button.btn-primary:contains('Archive')",
            run: "click",
        },
        ...rateGoodAndPleased(),
        ...confirmDialog(),
        {
            content: "The Call is done: gone from the list",
            trigger: `.o_list_view:not(:has(${CALL_ROW}))`,
        },
    ],
});

// Done on a mixed selection: one impression for the Call's contact, both completed
registry.category("web_tour.tours").add("empathic_crm_mixed_selection_tour", {
    steps: () => [
        {
            timeout: 30000, // the first view may load slowly on a busy machine
            content: "Select the Call activity",
            trigger: `${CALL_ROW} .o_list_record_selector input`,
            run: "click",
        },
        {
            content: "Select the To-Do activity too",
            trigger: `${TODO_ROW} .o_list_record_selector input`,
            run: "click",
        },
        {
            content: "Click Done",
            trigger: ".o_control_panel button[name=action_done]",
            run: "click",
        },
        {
            content: "The dialog asks for an impression of Jonas Keller only",
            trigger: ".modal .o_field_widget[name=partner_ids]:contains('Jonas Keller')",
        },
        ...rateGoodAndPleased(),
        ...confirmDialog(),
        {
            content: "Both activities are done",
            trigger: `.o_list_view:not(:has(${CALL_ROW})):not(:has(${TODO_ROW}))`,
        },
    ],
});
