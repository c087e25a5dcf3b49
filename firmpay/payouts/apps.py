from django.apps import AppConfig


class PayoutsConfig(AppConfig):
    name = "firmpay.payouts"
    label = "payouts"
    verbose_name = "Payouts"

    def ready(self):
        from firmpay.payments.hooks import payment_fee_source_register, payment_hook_register
        from firmpay.payouts.selectors import stripe_fees_of_payments
        from firmpay.payouts.services import payout_record

        payment_hook_register("payout_changed", payout_record)
        payment_fee_source_register(stripe_fees_of_payments)
