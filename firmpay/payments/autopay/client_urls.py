"""The client's autopay page, mounted at /autopay/ (the signed client link is the key)."""

from django.urls import path

from firmpay.payments.autopay import views

urlpatterns = [
    path("<str:token>/", views.client_autopay_manage, name="autopay-manage"),
    path("<str:token>/start/", views.client_autopay_start, name="autopay-start"),
    path("<str:token>/revoke/", views.client_autopay_revoke, name="autopay-revoke"),
    path("<str:token>/renew/", views.client_autopay_renew, name="autopay-renew"),
]
