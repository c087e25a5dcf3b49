from django.urls import path

from firmpay.payments.online import receipt_views

app_name = "payment_receipts"

urlpatterns = [
    path("<int:payment_id>/receipt/", receipt_views.payment_receipt, name="pdf"),
]
