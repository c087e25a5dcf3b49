from django.apps import AppConfig


class InvoicesConfig(AppConfig):
    name = "firmpay.invoices"
    label = "invoices"
