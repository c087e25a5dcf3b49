from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "firmpay.portal"
    label = "portal"
    verbose_name = "Client portal"
