from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "firmpay.documents"
    label = "documents"
    verbose_name = "Documents and branding"

    def ready(self):
        from firmpay.documents.attachments import invoice_pdf_attachment
        from firmpay.invoices.hooks import invoice_email_attachment_register

        # The invoice email carries its PDF without invoices importing this app.
        invoice_email_attachment_register(invoice_pdf_attachment)
