from django.urls import path, register_converter

from firmpay.portal import views_auth, views_documents, views_pages, views_pay

app_name = "portal"


class PortalKeyConverter:
    """The firm's unguessable portal key (Firm.portal_key), never its numeric id."""

    regex = "[0-9a-f]{32}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(PortalKeyConverter, "portal_key")

urlpatterns = [
    path("<portal_key:firm_key>/", views_auth.portal_home, name="home"),
    path("<portal_key:firm_key>/signin/", views_auth.portal_signin, name="signin"),
    path(
        "<portal_key:firm_key>/signin/<str:token>/",
        views_auth.portal_signin_link,
        name="signin_link",
    ),
    path("<portal_key:firm_key>/signout/", views_auth.portal_signout, name="signout"),
    path(
        "<portal_key:firm_key>/invoices/<int:invoice_id>/",
        views_pages.portal_invoice,
        name="invoice",
    ),
    path("<portal_key:firm_key>/paid/", views_pages.portal_paid, name="paid"),
    path("<portal_key:firm_key>/pay/", views_pay.portal_pay, name="pay"),
    path(
        "<portal_key:firm_key>/pay/<int:payment_id>/",
        views_pay.portal_paid_return,
        name="paid_return",
    ),
    path("<portal_key:firm_key>/payments/", views_pages.portal_payment_history, name="payments"),
    path("<portal_key:firm_key>/statement/", views_pages.portal_statement_page, name="statement"),
    path("<portal_key:firm_key>/details/", views_pages.portal_details, name="details"),
    path(
        "<portal_key:firm_key>/details/email/<str:token>/",
        views_pages.portal_email_confirm,
        name="email_confirm",
    ),
    path(
        "<portal_key:firm_key>/payment-methods/", views_pages.portal_payment_methods, name="methods"
    ),
    path(
        "<portal_key:firm_key>/invoices/<int:invoice_id>/pdf/",
        views_documents.portal_invoice_pdf,
        name="invoice_pdf",
    ),
    path(
        "<portal_key:firm_key>/payments/<int:payment_id>/receipt/",
        views_documents.portal_receipt_pdf,
        name="receipt_pdf",
    ),
    path(
        "<portal_key:firm_key>/statement/pdf/",
        views_documents.portal_statement_pdf,
        name="statement_pdf",
    ),
]
