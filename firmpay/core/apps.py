from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "firmpay.core"
    label = "core"
