from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "firmpay.integrations"
    label = "integrations"
