from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "firmpay.reminders"
    label = "reminders"
    verbose_name = "Payment reminders"
