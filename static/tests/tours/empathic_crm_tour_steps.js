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

/**
 * The impression dialog opened directly: no core feedback popover on the way.
 *
 * @returns {Object[]}
 */
export function dialogOpenedDirectly() {
    return [
        {
            content: "The impression dialog opens at once",
            trigger: ".modal .o_empathy_impression_wizard",
        },
        {
            content: "No core Mark Done popover is left open",
            trigger: "body:not(:has(.o-mail-ActivityMarkAsDone)):not(:has(.o-mail-ActivityListPopover))",
        },
    ];
}

/**
 * Click Done in the impression dialog and wait until it is closed.
 *
 * @returns {Object[]}
 */
export function confirmDialog() {
    return [
        {
            content: "Click Done in the impression dialog",
            trigger: ".modal button.o_empathy_confirm",
            run: "click",
        },
        {
            content: "The dialog is closed",
            trigger: "body:not(:has(.modal))",
        },
    ];
}

/**
 * Fail the tour when the page, the form, or an open dialog scrolls sideways.
 */
export function assertNoHorizontalScroll() {
    const page = document.scrollingElement || document.documentElement;
    const boxes = [
        page,
        ...document.querySelectorAll(".o_content, .o_form_sheet_bg, .modal-dialog, .modal-body"),
    ];
    const tooWide = boxes.filter((el) => el.scrollWidth > el.clientWidth + 1);
    if (tooWide.length) {
        throw new Error(
            `horizontal scrolling: ${tooWide
                .map((el) => `${el.className} ${el.scrollWidth}>${el.clientWidth}`)
                .join(", ")}`
        );
    }
}

/**
 * Fail the tour unless it runs in a phone-sized window (390×844).
 */
export function assertPhoneViewport() {
    if (window.innerWidth > 400) {
        throw new Error(`expected a phone viewport, got ${window.innerWidth}px`);
    }
}
