// Take the README screenshots of empathic_crm (and of its Email Marketing bridge) from a
// running Odoo with the demo data. Run through scripts/screenshots, which prepares the
// database and the server.
//
// Usage: node scripts/screenshots.mjs [shot ...]       (default: all shots)
// Environment: BASE_URL (http://127.0.0.1:8176), OUT_DIR (static/description),
//   MAILING_OUT_DIR (bridges/empathic_crm_mass_mailing/static/description: the shots
//   of the bridge, MAILING_SHOTS),
//   PLAYWRIGHT_NODE_DIR (where playwright-core is installed, ~/.cache/empathic_crm/node),
//   CHROMIUM (/usr/bin/chromium), ODOO_LOGIN / ODOO_PASSWORD (admin / admin),
//   SHOTS_LOCALE (en-US; de-DE for the German database: the browser's locale)
// Selectors name fields, tabs and buttons, never their labels: the same shots are taken
// of a German database.
import { createRequire } from "node:module";
import { mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const nodeDir =
    process.env.PLAYWRIGHT_NODE_DIR || path.join(os.homedir(), ".cache", "empathic_crm", "node");
// playwright-core lives outside the repository: resolve it from there
const require = createRequire(path.join(nodeDir, "node_modules", "_screenshots.js"));
const { chromium } = require("playwright-core");

const BASE = (process.env.BASE_URL || "http://127.0.0.1:8176").replace(/\/$/, "");
const OUT = process.env.OUT_DIR || path.join(here, "..", "static", "description");
const MAILING_OUT =
    process.env.MAILING_OUT_DIR ||
    path.join(here, "..", "bridges", "empathic_crm_mass_mailing", "static", "description");
const LOGIN = process.env.ODOO_LOGIN || "admin";
const PASSWORD = process.env.ODOO_PASSWORD || "admin";
const VIEWPORT = { width: 1400, height: 900 };
const PHONE = { width: 390, height: 844 };
const CUSTOMER = "Jonas Keller";
const LOCALE = process.env.SHOTS_LOCALE || "en-US";

const log = (...args) => console.log("[screenshots]", ...args);

/** Call a model method through JSON-RPC with the session of the page. */
async function rpc(page, model, method, args = [], kwargs = {}) {
    const response = await page.request.post(`${BASE}/web/dataset/call_kw/${model}/${method}`, {
        data: { jsonrpc: "2.0", method: "call", params: { model, method, args, kwargs } },
    });
    const body = await response.json();
    if (body.error) {
        throw new Error(`${model}.${method}: ${body.error.data?.message || body.error.message}`);
    }
    return body.result;
}

/** Wait for network idle, but not forever: Odoo keeps a few connections open. */
async function idle(page, timeout = 5000) {
    await page.waitForLoadState("networkidle", { timeout }).catch(() => {});
}

/** Wait until the web client has rendered the action and stopped loading. */
async function settle(page, selector = ".o_action_manager > *") {
    await page.waitForSelector(selector, { state: "visible", timeout: 30000 });
    await idle(page);
    // the client may still be busy (blockUI, lazy components, transitions)
    await page
        .waitForFunction(() => !document.querySelector(".o_blockUI, .o_loading_indicator"), null, {
            timeout: 15000,
        })
        .catch(() => {});
    await page.waitForTimeout(400);
}

/** Fail on anything a README must not show. */
async function checkPage(page) {
    if (page.url().includes("/web/login")) {
        throw new Error("not logged in (login page shown)");
    }
    const error = page.locator(".o_error_dialog, .o_dialog .modal-title:text-is('Odoo Server Error')");
    if (await error.count()) {
        throw new Error(`error dialog shown: ${(await error.first().innerText()).slice(0, 500)}`);
    }
}

async function save(page, name, target = page, dir = OUT) {
    await checkPage(page);
    // no blinking caret, no hover leftovers
    await page.mouse.move(0, VIEWPORT.height - 1);
    const file = path.join(dir, `${name}.png`);
    await target.screenshot({ path: file, animations: "disabled", caret: "hide" });
    log(`saved ${file}`);
}

/** Scroll the form so that its notebook headers are at the top of the content area. */
async function scrollToNotebook(page) {
    await page.locator(".o_form_view .o_notebook_headers").first().evaluate((el) => {
        el.scrollIntoView({ block: "start" });
        // leave a little room above the tabs
        const scroller = el.closest(".o_content") || el.closest(".o_form_renderer");
        if (scroller) {
            scroller.scrollTop = Math.max(0, scroller.scrollTop - 16);
        }
    });
    await page.waitForTimeout(200);
}

/** Open the notebook page of this name (the page's name attribute, not its label). */
async function clickTab(page, name) {
    await page.locator(`.o_notebook .nav-link[name=${name}]`).first().click();
    await page.waitForTimeout(300);
}

async function partnerId(page) {
    const found = await rpc(page, "res.partner", "search_read", [[["name", "=", CUSTOMER]]], {
        fields: ["id"],
        limit: 1,
    });
    if (!found.length) {
        throw new Error(`partner ${CUSTOMER} not found (demo data missing?)`);
    }
    return found[0].id;
}

async function openPartner(page) {
    await page.goto(`${BASE}/odoo/contacts/${await partnerId(page)}`);
    await settle(page, ".o_form_view .o_notebook");
}

// --------------------------------------------------------------------------------
const SHOTS = {
    async partner_empathy_tab(page) {
        await openPartner(page);
        await clickTab(page, "empathy");
        await settle(page, ".o_notebook .tab-pane.active .o_field_widget[name=empathy_impression_ids]");
        await scrollToNotebook(page);
        // the tab is long: make the window as tall as needed to show the impressions too
        const bottom = await page
            .locator(".o_notebook .tab-pane.active .o_field_widget[name=empathy_impression_ids]")
            .evaluate((el) => el.getBoundingClientRect().bottom + window.scrollY);
        const height = Math.min(Math.max(VIEWPORT.height, Math.ceil(bottom) + 24), 2400);
        await page.setViewportSize({ width: VIEWPORT.width, height });
        await page.waitForTimeout(300);
        await scrollToNotebook(page);
        try {
            await save(page, "partner_empathy_tab");
        } finally {
            await page.setViewportSize(VIEWPORT);
        }
    },

    async impression_dialog(page) {
        await openPartner(page);
        // Mark Done opens the impression dialog at once
        const markDone = page.locator(".o-mail-Activity .o-mail-Activity-markDone").first();
        await markDone.waitFor({ state: "visible", timeout: 15000 });
        await markDone.scrollIntoViewIfNeeded();
        await markDone.click();
        const dialog = page.locator(".modal-dialog").filter({ has: page.locator(".o_empathy_impression_wizard") });
        await dialog.waitFor({ state: "visible", timeout: 15000 });
        await idle(page);
        await dialog.locator(".o_field_widget[name=rapport] .o_priority_star").nth(3).click();
        await dialog.locator(".o_field_widget[name=mood] .o_selection_badge").nth(3).click();
        await idle(page);
        await page.waitForTimeout(300);
        await save(page, "impression_dialog");
        // leave the activity as it was: closing the dialog never completes it
        await page.keyboard.press("Escape");
        await dialog.waitFor({ state: "hidden" });
    },

    async rapport_pivot(page) {
        // as a manager opens it: customers, each with the advisors who met them
        await page.goto(`${BASE}/odoo/action-empathic_crm.empathy_rapport_action`);
        await settle(page, ".o_pivot table");
        const row = page.locator(".o_pivot tbody th", { hasText: CUSTOMER });
        if (!(await row.count())) {
            throw new Error(`no "${CUSTOMER}" row in the rapport pivot`);
        }
        await save(page, "rapport_pivot");
    },

    async quotation_suggestions(page) {
        const orders = await rpc(
            page,
            "sale.order",
            "search_read",
            [[["partner_id.name", "=", CUSTOMER], ["state", "in", ["draft", "sent"]]]],
            { fields: ["id", "name"], order: "id", limit: 1 }
        );
        if (!orders.length) {
            throw new Error(`no quotation of ${CUSTOMER} (demo data missing?)`);
        }
        await page.goto(`${BASE}/odoo/action-sale.action_quotations_with_onboarding/${orders[0].id}`);
        await settle(page, ".o_form_view .o_notebook");
        const suggestions = page.locator(".o_empathy_suggestions .o_field_widget[name=empathy_suggestion_ids]");
        if (!(await suggestions.locator(".o_data_row").count())) {
            const suggest = page.locator("button[name=action_empathy_suggest]:visible");
            if (!(await suggest.count())) {
                throw new Error("no suggestions and no button to ask for them");
            }
            await suggest.first().click();
            await settle(page, ".o_empathy_suggestions .o_data_row");
        }
        await scrollToNotebook(page);
        await save(page, "quotation_suggestions");
    },

    async silent_customers(page) {
        await page.goto(`${BASE}/odoo/action-empathic_crm.empathy_partner_stat_action_silent`);
        await settle(page, ".o_list_view, .o_view_nocontent");
        if (!(await page.locator(".o_list_view .o_data_row").count())) {
            throw new Error("the silent customers list is empty");
        }
        await save(page, "silent_customers");
    },
};

/** Open a second session as another user (e.g. an advisor) in the same browser. */
async function loginAs(page, login, password, options = {}) {
    const context = await page.context().browser().newContext({
        viewport: VIEWPORT,
        locale: LOCALE,
        timezoneId: "Europe/Berlin",
        ...options,
    });
    context.setDefaultTimeout(20000);
    const other = await context.newPage();
    await other.goto(`${BASE}/web/login`);
    await other.fill("input[name=login]", login);
    await other.fill("input[name=password]", password);
    await Promise.all([
        other.waitForURL((url) => !url.pathname.startsWith("/web/login"), { timeout: 120000 }),
        other.click("button[type=submit]"),
    ]);
    await settle(other);
    return other;
}

Object.assign(SHOTS, {
    async pipeline_card(page) {
        // Ben's pipeline: his own rapport with the customer is on the card
        const ben = await loginAs(page, "ben", "ben");
        try {
            const [lead] = await rpc(
                ben,
                "crm.lead",
                "search_read",
                [[["partner_id.name", "=", CUSTOMER], ["type", "=", "opportunity"], ["user_id.login", "=", "ben"]]],
                { fields: ["name"], order: "id", limit: 1 }
            );
            if (!lead) {
                throw new Error(`no opportunity of ${CUSTOMER} for ben (demo data missing?)`);
            }
            await ben.goto(`${BASE}/odoo/crm`);
            await settle(ben, ".o_kanban_view");
            const card = ben.locator(".o_kanban_record", { hasText: lead.name });
            await card.locator(".o_empathy_kanban_badge").waitFor({ state: "visible" });
            await ben.mouse.move(0, VIEWPORT.height - 1);
            const box = await card.boundingBox();
            await checkPage(ben);
            const file = path.join(OUT, "pipeline_card.png");
            await ben.screenshot({
                path: file,
                animations: "disabled",
                caret: "hide",
                clip: {
                    x: Math.max(0, box.x - 16),
                    y: Math.max(0, box.y - 56),
                    width: Math.min(VIEWPORT.width, box.width + 32 + 320),
                    height: box.height + 72,
                },
            });
            log(`saved ${file}`);
        } finally {
            await ben.context().close();
        }
    },

    async impression_cards_phone(page) {
        // Ben on his phone: the contact's impressions are cards
        const ben = await loginAs(page, "ben", "ben", { viewport: PHONE, isMobile: true, hasTouch: true });
        try {
            const id = await partnerId(ben);
            await ben.goto(`${BASE}/odoo/contacts/${id}`);
            await settle(ben, ".o_form_view .o_notebook");
            await clickTab(ben, "empathy");
            const cards = ben.locator(".o_field_widget[name=empathy_impression_ids] .o_empathy_impression_cards");
            await cards.locator(".o_kanban_record").first().waitFor({ state: "visible" });
            await cards.evaluate((el) => el.scrollIntoView({ block: "start" }));
            await ben.waitForTimeout(300);
            await checkPage(ben);
            const file = path.join(OUT, "impression_cards_phone.png");
            await ben.screenshot({ path: file, animations: "disabled", caret: "hide" });
            log(`saved ${file}`);
        } finally {
            await ben.context().close();
        }
    },

    async composer_hint(page) {
        await openPartner(page);
        await page.locator(".o-mail-Chatter-sendMessage").first().click();
        await page.locator(".o-mail-Composer-fullComposer").first().click();
        const dialog = page.locator(".modal-content").filter({ has: page.locator(".o_empathy_style_hint") });
        await dialog.waitFor({ state: "visible", timeout: 15000 });
        await settle(page, ".modal .o_empathy_style_hint");
        await save(page, "composer_hint", dialog);
        await dialog.locator(".modal-header .btn-close").first().click();
        await dialog.waitFor({ state: "hidden" });
        // leave the chatter's composer closed again
        await page.locator(".o-mail-Chatter-sendMessage").first().click();
    },
});

// The Email Marketing bridge (empathic_crm_mass_mailing): its shots go to MAILING_OUT, of
// its demo campaign "Hawaii marathon season" (a fact and a story version) and the
// earlier one that was sent (the report's rows).
const MAILING_MODULE = "empathic_crm_mass_mailing";
const MAILING_ACTION = "mass_mailing.mailing_mailing_action_mail";

/** Return the id of a record of the demo data by its XML id in the bridge. */
async function demoId(page, xmlid) {
    const [, id] = await rpc(page, "ir.model.data", "check_object_reference", [MAILING_MODULE, xmlid]);
    return id;
}

/** Open a mailing of the demo data and wait for its form. */
async function openMailing(page, xmlid) {
    await page.goto(`${BASE}/odoo/action-${MAILING_ACTION}/${await demoId(page, xmlid)}`);
    await settle(page, ".o_form_view .o_notebook");
}

/** Grow the window to show the form down to ``selector`` (at most 1600 px high). */
async function fitHeight(page, selector) {
    const bottom = await page
        .locator(selector)
        .first()
        .evaluate((el) => el.getBoundingClientRect().bottom + window.scrollY);
    const height = Math.min(Math.max(VIEWPORT.height, Math.ceil(bottom) + 24), 1600);
    await page.setViewportSize({ width: VIEWPORT.width, height });
    await page.waitForTimeout(300);
}

const MAILING_SHOTS = {
    async mailing_speak_each_kind(page) {
        // the fact version: recipients by motive, and who gets which version
        await openMailing(page, "demo_mailing_hawaii_season_fact");
        await page.locator(".o_field_widget[name=empathy_motive_ids] .o_tag").first().waitFor();
        await clickTab(page, "empathy_versions");
        const summary = ".o_notebook .tab-pane.active .o_field_widget[name=empathy_version_summary]";
        await settle(page, summary);
        try {
            await fitHeight(page, ".o_notebook .tab-pane.active");
            await save(page, "mailing_speak_each_kind", page, MAILING_OUT);
        } finally {
            await page.setViewportSize(VIEWPORT);
        }
    },

    async mailing_story_version(page) {
        // the story version, written in Odoo's mailing editor
        await openMailing(page, "demo_mailing_hawaii_season_story");
        const editor = page.frameLocator("[name=body_arch] iframe").locator(".odoo-editor-editable p").first();
        await editor.waitFor({ state: "visible", timeout: 30000 });
        await idle(page);
        await page.waitForTimeout(800); // the iframe's styles and images
        await save(page, "mailing_story_version", page, MAILING_OUT);
    },

    async mailing_kind_report(page) {
        // as the button of the sent campaign opens it: both versions, by communication style
        const mailing = await demoId(page, "demo_mailing_spring_fact");
        const action = await rpc(page, "mailing.mailing", "action_empathy_kind_report", [[mailing]]);
        await page.goto(`${BASE}/odoo/action-${MAILING_ACTION}/${mailing}`);
        await settle(page, ".o_form_view");
        await page.evaluate((act) => odoo.__WOWL_DEBUG__.root.env.services.action.doAction(act), action);
        await settle(page, ".o_pivot table");
        if ((await page.locator(".o_pivot tbody th").count()) < 3) {
            throw new Error("the report has no rows (demo data of the bridge missing?)");
        }
        await save(page, "mailing_kind_report", page, MAILING_OUT);
    },
};
Object.assign(SHOTS, MAILING_SHOTS);

// --------------------------------------------------------------------------------
async function main() {
    const wanted = process.argv.slice(2);
    for (const name of wanted) {
        if (!SHOTS[name]) {
            throw new Error(`unknown shot ${name} (known: ${Object.keys(SHOTS).join(", ")})`);
        }
    }
    mkdirSync(OUT, { recursive: true });
    mkdirSync(MAILING_OUT, { recursive: true });
    const browser = await chromium.launch({
        executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
        headless: true,
        args: [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    });
    const failed = [];
    try {
        const context = await browser.newContext({ viewport: VIEWPORT, locale: LOCALE, timezoneId: "Europe/Berlin" });
        context.setDefaultTimeout(20000);
        const page = await context.newPage();
        page.on("pageerror", (error) => log("page error:", error.message));

        await page.goto(`${BASE}/web/login`);
        await page.fill("input[name=login]", LOGIN);
        await page.fill("input[name=password]", PASSWORD);
        // a loaded machine may take long for the first page (asset bundles are generated)
        await Promise.all([
            page.waitForURL((url) => !url.pathname.startsWith("/web/login"), { timeout: 120000 }),
            page.click("button[type=submit]"),
        ]);
        await settle(page);
        await checkPage(page);

        for (const name of wanted.length ? wanted : Object.keys(SHOTS)) {
            log(`taking ${name}`);
            try {
                await SHOTS[name](page);
            } catch (error) {
                failed.push(name);
                log(`FAILED ${name}: ${error.message}`);
                await page.screenshot({ path: path.join(os.tmpdir(), `screenshots-failed-${name}.png`) }).catch(() => {});
                // start the next shot from a clean state
                await page.keyboard.press("Escape").catch(() => {});
            }
        }
    } finally {
        await browser.close();
    }
    if (failed.length) {
        throw new Error(`failed: ${failed.join(", ")} (see ${os.tmpdir()}/screenshots-failed-*.png)`);
    }
}

main().catch((error) => {
    console.error("[screenshots] ERROR:", error.message);
    process.exit(1);
});
