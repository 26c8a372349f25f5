import { ConfirmationDialog } from "@web/core/confirmation_dialog/confirmation_dialog";
import { Dialog } from "@web/core/dialog/dialog";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { patch } from "@web/core/utils/patch";
import { FormController } from "@web/views/form/form_controller";
import { formView } from "@web/views/form/form_view";

/** The impression dialog's inputs whose typed text is never dropped silently. */
export const TYPED_FIELDS = ["note", "feedback"];

patch(Dialog.prototype, {
    /**
     * ✕, Escape and the phone's back arrow: a dialog may ask first
     * (``dialogData.empathyBeforeDismiss`` resolves to false to stay open).
     *
     * @override
     */
    async dismiss() {
        const ask = this.data.empathyBeforeDismiss;
        if (ask && !(await ask())) {
            return;
        }
        return super.dismiss(...arguments);
    },
});

/**
 * The impression dialog's form: every way out (Cancel, ✕, Escape, the phone's back
 * arrow) asks "Discard what you typed?" when a note or a feedback was typed, also when
 * the field still has the focus (its text is taken from the input first: the record
 * does not know it before the input commits). An Odoo dialog does not close on a
 * click outside it, so nothing is lost that way either.
 */
export class EmpathyImpressionFormController extends FormController {
    setup() {
        super.setup();
        this.dialogService = useService("dialog");
        if (this.env.dialogData) {
            this.env.dialogData.empathyBeforeDismiss = () => this.empathyMayDiscard();
        }
    }

    /** @returns {Promise<boolean>} whether something was typed (pending input included) */
    async empathyHasTyped() {
        const record = this.model.root;
        // takes the value still in the focused input into the record
        await record.isDirty();
        return TYPED_FIELDS.some(
            (name) => name in record.data && String(record.data[name] || "").trim()
        );
    }

    /** @returns {Promise<boolean>} whether the dialog may close without the typed text */
    async empathyMayDiscard() {
        if (this.empathyAsking) {
            return false;
        }
        if (!(await this.empathyHasTyped())) {
            return true;
        }
        this.empathyAsking = true;
        try {
            return await new Promise((resolve) => {
                this.dialogService.add(
                    ConfirmationDialog,
                    {
                        body: _t(
                            "Discard what you typed? The activity stays open, your note is not kept."
                        ),
                        confirmLabel: _t("Discard"),
                        confirm: () => resolve(true),
                        cancelLabel: _t("Keep editing"),
                        cancel: () => resolve(false),
                    },
                    { onClose: () => resolve(false) }
                );
            });
        } finally {
            this.empathyAsking = false;
        }
    }

    /** Cancel in the footer asks as ✕ and Escape do. @override */
    async beforeExecuteActionButton(clickParams) {
        if (clickParams.special === "cancel" && !(await this.empathyMayDiscard())) {
            return false;
        }
        return super.beforeExecuteActionButton(...arguments);
    }
}

registry.category("views").add("empathy_impression_form", {
    ...formView,
    Controller: EmpathyImpressionFormController,
});
