from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "firmpay.support"
    label = "support"
    verbose_name = "Support back office"
