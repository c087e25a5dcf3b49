from django.apps import AppConfig


class HelpdeskConfig(AppConfig):
    name = "firmpay.helpdesk"
    label = "helpdesk"
    verbose_name = "In-app help"
