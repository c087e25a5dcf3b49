from django.urls import path

from firmpay.invoices import views

app_name = "invoices"

urlpatterns = [
    path("", views.invoice_list, name="list"),
    path("new/", views.invoice_create, name="create"),
    path("<int:invoice_id>/", views.invoice_detail, name="detail"),
    path("<int:invoice_id>/edit/", views.invoice_edit, name="edit"),
    path("<int:invoice_id>/send/", views.invoice_send, name="send"),
    path("<int:invoice_id>/void/", views.invoice_void, name="void"),
    path("<int:invoice_id>/link/revoke/", views.invoice_link_revoke, name="link_revoke"),
    path("<int:invoice_id>/payments/new/", views.invoice_payment_record, name="payment_record"),
]
