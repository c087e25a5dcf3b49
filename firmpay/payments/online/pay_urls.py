"""Mounted under /i/<token>/ beside the client's invoice page."""

from django.urls import path

from firmpay.payments.autopay import views as autopay_views
from firmpay.payments.online import pay_views

app_name = "invoice_pay"

urlpatterns = [
    path("pay/", pay_views.invoice_pay, name="pay"),
    path("paid/<int:payment_id>/", pay_views.invoice_paid, name="paid"),
    path("autopay/", autopay_views.invoice_autopay_start, name="autopay"),
]
