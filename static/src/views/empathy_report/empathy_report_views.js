import { registry } from "@web/core/registry";
import { graphView } from "@web/views/graph/graph_view";
import { GraphRenderer } from "@web/views/graph/graph_renderer";
import { pivotView } from "@web/views/pivot/pivot_view";
import { PivotRenderer } from "@web/views/pivot/pivot_renderer";

/**
 * The shown measures that explain themselves: their label and their help (the field's
 * translated help text), so that a figure such as the fair deviation is explained on
 * the screen, not only in a tooltip.
 *
 * @param {Object} metaData a pivot or graph model's metaData
 * @param {string[]} measures the measures shown
 * @returns {{name: string, label: string, help: string}[]}
 */
export function measureHelps(metaData, measures) {
    return measures
        .map((name) => ({ name, field: metaData.fields[name] }))
        .filter(({ field }) => field?.help)
        .map(({ name, field }) => ({ name, label: field.string, help: field.help }));
}

export class EmpathyReportPivotRenderer extends PivotRenderer {
    static template = "empathic_crm.ReportPivotRenderer";

    get empathyMeasureHelps() {
        return measureHelps(this.model.metaData, this.model.metaData.activeMeasures);
    }
}

export class EmpathyReportGraphRenderer extends GraphRenderer {
    static template = "empathic_crm.ReportGraphRenderer";

    get empathyMeasureHelps() {
        return measureHelps(this.model.metaData, [this.model.metaData.measure]);
    }
}

// the addon's reports: what each figure means is written above it
registry.category("views").add("empathy_report_pivot", {
    ...pivotView,
    Renderer: EmpathyReportPivotRenderer,
});
registry.category("views").add("empathy_report_graph", {
    ...graphView,
    Renderer: EmpathyReportGraphRenderer,
});
