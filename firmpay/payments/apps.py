from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "firmpay.payments"
    label = "payments"
    verbose_name = "Payments (Stripe Connect)"

    def ready(self):
        from firmpay.invoices.hooks import invoice_amount_source_register
        from firmpay.payments.hooks import payment_hook_register
        from firmpay.payments.online.allocation_selectors import invoice_allocated_amounts
        from firmpay.payments.online.checkout import checkout_sessions_expire_for_account
        from firmpay.payments.online.selectors import invoice_online_amounts

        # Invoices count online payments without importing payments.
        invoice_amount_source_register(invoice_online_amounts)
        invoice_amount_source_register(invoice_allocated_amounts)  # several invoices, one payment
        # A disconnected account takes no payment: its open Checkout Sessions expire.
        payment_hook_register("account_disconnected", checkout_sessions_expire_for_account)
        # Autopay: invoices of clients who authorised are collected automatically; a
        # disconnected account charges nothing more.
        from firmpay.invoices.hooks import invoice_hook_register
        from firmpay.payments.autopay.authorise import (
            autopay_on_disconnect,
            on_invoice_sent,
        )
        from firmpay.payments.autopay.marking import on_invoices_issued_for_autopay

        invoice_hook_register("sent", on_invoice_sent)
        invoice_hook_register("issued_for_autopay", on_invoices_issued_for_autopay)
        from firmpay.invoices.hooks import invoice_email_note_register
        from firmpay.payments.autopay.panel import invoice_email_note

        invoice_email_note_register(invoice_email_note)
        payment_hook_register("account_disconnected", autopay_on_disconnect)
