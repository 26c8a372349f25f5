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

const EMPATHY_TAB = ".o_notebook .nav-link:contains('Empathy')";

/**
 * Open the contact's Empathy tab and wait until it is the active page.
 *
 * A form that is still settling (a late onchange, another module's reload) can
 * render its notebook again and show the first page: like a user, tap again until
 * the Empathy page is the one shown. On a phone the tab bar scrolls sideways
 * (19.0 shows the tab half outside the screen): swipe the tab into view first.
 *
 * @returns {Object[]}
 */
export function openEmpathyTab() {
    return [
        {
            content: "Open the Empathy tab",
            trigger: EMPATHY_TAB,
            async run(helpers) {
                const tab = () =>
                    [...document.querySelectorAll(".o_notebook .nav-link")].find((link) =>
                        link.textContent.includes("Empathy")
                    );
                for (let attempt = 0; attempt < 20; attempt++) {
                    const link = tab();
                    if (link?.classList.contains("active")) {
                        return;
                    }
                    if (link) {
                        link.scrollIntoView({ block: "nearest", inline: "center" });
                        // the tour's own tap (pointer and touch events, as a finger)
                        await helpers.click(link);
                    }
                    await new Promise((resolve) => setTimeout(resolve, 250));
                }
                const links = [...document.querySelectorAll(".o_notebook .nav-link")];
                throw new Error(
                    `the Empathy tab does not open: ${links
                        .map((link) => `${link.className} "${link.textContent.trim()}"`)
                        .join(", ")}`
                );
            },
        },
        {
            content: "The Empathy tab is the page shown",
            trigger: ".o_notebook .nav-link.active:contains('Empathy')",
        },
    ];
}
