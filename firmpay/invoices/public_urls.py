from django.urls import path

from firmpay.invoices import public_views

app_name = "invoice_link"

urlpatterns = [
    path("<str:token>/", public_views.invoice_public, name="show"),
]
