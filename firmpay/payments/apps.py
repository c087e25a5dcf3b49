from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "firmpay.payments"
    label = "payments"
    verbose_name = "Payments (Stripe Connect)"
