from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "firmpay.demo"
    label = "demo"
