from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "firmpay.clients"
    label = "clients"
