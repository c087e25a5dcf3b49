from django.urls import path

from firmpay.portal import views_auth, views_documents, views_pages, views_pay

app_name = "portal"

urlpatterns = [
    path("<int:firm_id>/", views_auth.portal_home, name="home"),
    path("<int:firm_id>/signin/", views_auth.portal_signin, name="signin"),
    path("<int:firm_id>/signin/<str:token>/", views_auth.portal_signin_link, name="signin_link"),
    path("<int:firm_id>/signout/", views_auth.portal_signout, name="signout"),
    path("<int:firm_id>/invoices/<int:invoice_id>/", views_pages.portal_invoice, name="invoice"),
    path("<int:firm_id>/paid/", views_pages.portal_paid, name="paid"),
    path("<int:firm_id>/pay/", views_pay.portal_pay, name="pay"),
    path("<int:firm_id>/pay/<int:payment_id>/", views_pay.portal_paid_return, name="paid_return"),
    path("<int:firm_id>/payments/", views_pages.portal_payment_history, name="payments"),
    path("<int:firm_id>/statement/", views_pages.portal_statement_page, name="statement"),
    path("<int:firm_id>/details/", views_pages.portal_details, name="details"),
    path(
        "<int:firm_id>/details/email/<str:token>/",
        views_pages.portal_email_confirm,
        name="email_confirm",
    ),
    path("<int:firm_id>/payment-methods/", views_pages.portal_payment_methods, name="methods"),
    path(
        "<int:firm_id>/invoices/<int:invoice_id>/pdf/",
        views_documents.portal_invoice_pdf,
        name="invoice_pdf",
    ),
    path(
        "<int:firm_id>/payments/<int:payment_id>/receipt/",
        views_documents.portal_receipt_pdf,
        name="receipt_pdf",
    ),
    path(
        "<int:firm_id>/statement/pdf/", views_documents.portal_statement_pdf, name="statement_pdf"
    ),
]
