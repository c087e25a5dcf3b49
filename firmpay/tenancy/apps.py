from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "firmpay.tenancy"
    label = "tenancy"
