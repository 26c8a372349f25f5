/**
 * Steps shared by the impression tours: in the open impression dialog, click the
 * 4th star ("Good") and the mood "Pleased", and wait until the mood is selected.
 *
 * @returns {Object[]}
 */
export function rateGoodAndPleased() {
    return [
        {
            content: "The impression dialog asks for the 4th star",
            trigger: ".modal .o_empathy_impression_wizard .o_field_widget[name=rapport] .o_priority_star[aria-label='Good']",
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
