from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "firmpay.dashboard"
    label = "dashboard"
    verbose_name = "Payments dashboard"
