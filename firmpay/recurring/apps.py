from django.apps import AppConfig


class RecurringConfig(AppConfig):
    name = "firmpay.recurring"
    label = "recurring"
    verbose_name = "Recurring invoices"

    def ready(self):
        from firmpay.recurring.labels import invoice_labels_register

        invoice_labels_register()
