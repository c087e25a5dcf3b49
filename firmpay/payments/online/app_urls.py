"""The firm's payment pages, mounted at /payments/."""

from django.urls import path

from firmpay.payments.autopay import views as autopay_views
from firmpay.payments.online import app_views

app_name = "online_payments"

urlpatterns = [
    path("", app_views.payment_list, name="list"),
    path("settings/", app_views.checkout_settings, name="settings"),
    path("<int:payment_id>/refund/", app_views.payment_refund, name="refund"),
    path("autopay/", autopay_views.firm_autopay, name="autopay"),
    path("autopay/request/", autopay_views.firm_autopay_request, name="autopay_request"),
]
