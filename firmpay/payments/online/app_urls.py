"""The firm's payment pages, mounted at /payments/."""

from django.urls import path

from firmpay.payments.online import app_views

app_name = "online_payments"

urlpatterns = [
    path("", app_views.payment_list, name="list"),
    path("settings/", app_views.checkout_settings, name="settings"),
    path("<int:payment_id>/refund/", app_views.payment_refund, name="refund"),
]
