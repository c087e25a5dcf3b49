from django.urls import path

from firmpay.reminders import views

app_name = "reminders"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("policy/", views.policy_edit, name="policy"),
    path("invoices/<int:invoice_id>/", views.invoice_panel, name="invoice_panel"),
    path("invoices/<int:invoice_id>/send/", views.invoice_send_now, name="send_now"),
    path("invoices/<int:invoice_id>/pause/", views.invoice_pause, name="pause"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
