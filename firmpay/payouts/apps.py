from django.apps import AppConfig


class PayoutsConfig(AppConfig):
    name = "firmpay.payouts"
    label = "payouts"
    verbose_name = "Payouts"

    def ready(self):
        from firmpay.payments.hooks import payment_hook_register
        from firmpay.payouts.services import payout_record

        payment_hook_register("payout_changed", payout_record)
