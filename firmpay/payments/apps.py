from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "firmpay.payments"
    label = "payments"
    verbose_name = "Payments (Stripe Connect)"

    def ready(self):
        from firmpay.invoices.hooks import invoice_amount_source_register
        from firmpay.payments.selectors_allocations import invoice_allocated_amounts
        from firmpay.payments.selectors_payments import invoice_online_amounts

        # Invoices count online payments without importing payments.
        invoice_amount_source_register(invoice_online_amounts)
        invoice_amount_source_register(invoice_allocated_amounts)
