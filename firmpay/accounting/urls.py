from django.urls import path

from firmpay.accounting import views
from firmpay.accounting.providers import VENDORS

app_name = "accounting"

# One fixed route per vendor (xero/..., quickbooks/...): the vendor is not a captured value.
urlpatterns = [
    route
    for vendor in VENDORS
    for route in (
        path(
            f"{vendor}/connect/",
            views.accounting_connect,
            {"vendor": vendor},
            name=f"{vendor}_connect",
        ),
        path(
            f"{vendor}/callback/",
            views.accounting_callback,
            {"vendor": vendor},
            name=f"{vendor}_callback",
        ),
    )
] + [
    path("setup/", views.accounting_setup, name="setup"),
    path("setup/payouts/", views.accounting_payouts, name="payouts"),
    path("disconnect/", views.accounting_disconnect, name="disconnect"),
    path("retry/", views.accounting_retry, name="retry"),
    path("invoices/<int:invoice_id>/", views.invoice_sync_panel, name="invoice_panel"),
    path("invoices/<int:invoice_id>/retry/", views.invoice_sync_retry, name="invoice_retry"),
    path(
        "invoices/<int:invoice_id>/contact/link/",
        views.invoice_contact_resolve,
        {"choice": "link"},
        name="invoice_contact_link",
    ),
    path(
        "invoices/<int:invoice_id>/contact/distinct/",
        views.invoice_contact_resolve,
        {"choice": "distinct"},
        name="invoice_contact_distinct",
    ),
]
