from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "firmpay.payments"
    label = "payments"
    verbose_name = "Payments (Stripe Connect)"

    def ready(self):
        from firmpay.invoices.hooks import invoice_amount_source_register
        from firmpay.payments.hooks import payment_hook_register
        from firmpay.payments.online.checkout import checkout_sessions_expire_for_account
        from firmpay.payments.online.selectors import invoice_online_amounts

        # Invoices count online payments without importing payments.
        invoice_amount_source_register(invoice_online_amounts)
        # A disconnected account takes no payment: its open Checkout Sessions expire.
        payment_hook_register("account_disconnected", checkout_sessions_expire_for_account)
