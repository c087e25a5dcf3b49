from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "firmpay.documents"
    label = "documents"
    verbose_name = "Documents and branding"

    def ready(self):
        from firmpay.documents.emails import invoice_email_extend
        from firmpay.invoices.hooks import invoice_email_extension_register

        # The invoice email carries its PDF and the firm's branding without invoices
        # importing this app.
        invoice_email_extension_register(invoice_email_extend)
