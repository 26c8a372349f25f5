import { registry } from "@web/core/registry";
import { formatFloat } from "@web/views/fields/formatters";

/**
 * A rapport score as every sentence of the addon writes it: one decimal, in the user's
 * number format ("3,4" in German). For the report's measures (widget="empathy_score"),
 * whose stored values keep their precision.
 *
 * @param {number} value
 * @param {Object} [options]
 * @returns {string}
 */
export function formatEmpathyScore(value, options = {}) {
    return formatFloat(value, { ...options, digits: [3, 1] });
}

registry.category("formatters").add("empathy_score", formatEmpathyScore);
