from django.urls import path

from firmpay.documents import views

app_name = "documents"

urlpatterns = [
    path("settings/branding/", views.branding_settings, name="branding"),
    path("brand/<int:firm_id>/logo-<int:version>", views.brand_logo, name="logo"),
    path("brand/<int:firm_id>/style-<int:version>.css", views.brand_style, name="style"),
    path("invoices/<int:invoice_id>/pdf/", views.firm_invoice_pdf, name="invoice_pdf"),
    path("i/<str:token>/pdf/", views.link_invoice_pdf, name="link_invoice_pdf"),
]
