"""Listening to invoice events (firmpay/invoices/hooks.py), registered at app ready()."""

from firmpay.accounting.services.outbox import (
    accounting_on_invoice_sent,
    accounting_on_invoice_voided,
    accounting_on_payment_succeeded,
)


def on_manual_payment_recorded(*, invoice, payment) -> None:
    accounting_on_payment_succeeded(
        firm=invoice.firm,
        invoice=invoice,
        payment_key=f"manual:{payment.pk}",
        amount=payment.amount,
        currency=payment.currency,
        paid_on=payment.received_on,
        reference=payment.reference or f"Firmpay {invoice.number}",
    )


def invoice_hooks_register() -> None:
    try:
        from firmpay.invoices.hooks import invoice_hook_register
    except ImportError:  # the invoices app without hooks yet: nothing to listen to
        return
    invoice_hook_register("sent", accounting_on_invoice_sent)
    invoice_hook_register("voided", accounting_on_invoice_voided)
    invoice_hook_register("manual_payment_recorded", on_manual_payment_recorded)
