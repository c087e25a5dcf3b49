from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="invoices:list", permanent=False), name="home"),
    path("", include("firmpay.tenancy.urls")),
    path("clients/", include("firmpay.clients.urls")),
    path("invoices/", include("firmpay.invoices.urls")),
    path("i/", include("firmpay.invoices.public_urls")),
    path("i/<str:token>/", include("firmpay.payments.online.pay_urls")),
    path("payments/", include("firmpay.payments.online.app_urls")),
    path("dashboard/", include("firmpay.dashboard.urls")),
    path("payouts/", include("firmpay.payouts.urls")),
    path("autopay/", include("firmpay.payments.autopay.client_urls")),
    path("settings/integrations/accounting/", include("firmpay.accounting.urls")),
    path("settings/integrations/", include("firmpay.integrations.urls")),
    path("webhooks/", include("firmpay.payments.urls")),
    path("reminders/", include("firmpay.reminders.urls")),
    path("support/help/", include("firmpay.helpdesk.support_urls")),
    path("support/", include("firmpay.support.urls")),
    path("help/", include("firmpay.helpdesk.urls")),
    path("", include("firmpay.ops.urls")),
]
