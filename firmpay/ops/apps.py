from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "firmpay.ops"
    label = "ops"
    verbose_name = "Operations (health, logs, login throttling)"

    def ready(self):
        from firmpay.ops import throttle  # noqa: F401 - connects the auth signals
