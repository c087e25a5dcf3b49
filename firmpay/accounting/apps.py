from django.apps import AppConfig


class AccountingConfig(AppConfig):
    name = "firmpay.accounting"
    label = "accounting"
    verbose_name = "Accounting sync"

    def ready(self) -> None:
        # Invoices never import accounting: we listen on its hooks (firmpay/invoices/hooks.py).
        from firmpay.accounting.services.hooks import invoice_hooks_register

        invoice_hooks_register()
