from django.apps import AppConfig


class AccountingConfig(AppConfig):
    name = "firmpay.accounting"
    label = "accounting"
    verbose_name = "Accounting sync"

    def ready(self) -> None:
        # Invoices never import accounting: we listen on its hooks (firmpay/invoices/hooks.py).
        from firmpay.accounting.services.hooks import invoice_hooks_register

        invoice_hooks_register()
        # Nor does payments: online payments reach the books through firmpay/payments/hooks.py.
        from firmpay.accounting.services import (
            accounting_on_payment_reversed,
            accounting_on_payment_succeeded,
            accounting_on_payments_succeeded,
            accounting_on_payout_changed,
        )
        from firmpay.payments.hooks import payment_hook_register

        payment_hook_register("payment_booked", accounting_on_payment_succeeded)
        payment_hook_register("payments_booked", accounting_on_payments_succeeded)
        payment_hook_register("payment_unbooked", accounting_on_payment_reversed)
        payment_hook_register("payout_changed", accounting_on_payout_changed)
