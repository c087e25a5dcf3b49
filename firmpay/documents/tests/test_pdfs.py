"""PDF invoices, receipts and statements: rendered from the page templates with the firm's
details and locale, downloadable by the firm and the client, attached to the invoice email."""

import datetime
import io

import pytest
from django.core import mail
from django.test import Client as Browser
from django.urls import reverse
from pypdf import PdfReader

from firmpay.documents.documents import invoice_pdf
from firmpay.documents.formatting import date_localised, money_localised
from firmpay.documents.services import branding_update
from firmpay.invoices.links import invoice_link_path
from firmpay.invoices.tests.builders import line
from firmpay.portal.tests.builders import portal_customer, portal_url, sent_invoice, signed_in

pytestmark = pytest.mark.django_db(transaction=True)


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def brand(firm, **fields):
    values = {
        "address": "1 Ledger Lane\nSpringfield",
        "tax_details": "EIN 12-3456789",
        "accent_colour": "#aa3300",
        "locale": "en_US",
        **fields,
    }
    return branding_update(firm=firm, **values)


def test_an_invoice_pdf_has_the_firm_details_lines_and_total(firm):
    firm.bank_details = "Ledger Bank 000123"
    firm.save()
    brand(firm)
    client = portal_customer(firm, name="Acme Ltd")
    invoice = sent_invoice(
        firm,
        client,
        lines=[line("Year-end accounts", "2", 45000), line("Payroll", "1", 12050, "10")],
    )
    text = pdf_text(invoice_pdf(invoice=invoice))
    for expected in (
        f"Invoice {invoice.number}",
        "1 Ledger Lane",
        "EIN 12-3456789",
        "Ledger Bank 000123",
        "Acme Ltd",
        "Year-end accounts",
        "Payroll",
        "$1,032.55",
    ):
        assert expected in text


def test_amounts_and_dates_follow_the_firm_locale():
    assert money_localised(123450, "EUR", "de_DE") == "1.234,50\xa0€"
    assert money_localised(123450, "USD", "en_US") == "$1,234.50"
    assert money_localised(1500, "JPY", "ja_JP") == "￥1,500"
    assert date_localised(datetime.date(2026, 12, 3), "en_GB") == "3 December 2026"
    assert date_localised(datetime.date(2026, 12, 3), "en_US") == "December 3, 2026"


def test_a_german_firm_invoice_pdf_writes_euros_the_german_way(firm):
    brand(firm, locale="de_DE")
    client = portal_customer(firm, currency="EUR")
    invoice = sent_invoice(firm, client, lines=[line(unit_amount=123450)], currency="EUR")
    assert "Total 1.234,50\xa0€" in pdf_text(invoice_pdf(invoice=invoice))


def test_the_invoice_email_carries_the_pdf(firm):
    client = portal_customer(firm)
    invoice = sent_invoice(firm, client)
    message = next(m for m in mail.outbox if m.to == [client.email])
    ((filename, content, mimetype),) = message.attachments
    assert (filename, mimetype) == (f"{invoice.number}.pdf", "application/pdf")
    assert invoice.number in pdf_text(content)


def test_the_firm_downloads_its_invoice_pdf_and_not_another_firms(firm, other_firm, owner_client):
    mine = sent_invoice(firm, portal_customer(firm))
    theirs = sent_invoice(other_firm, portal_customer(other_firm))
    response = owner_client.get(reverse("documents:invoice_pdf", args=[mine.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert mine.number in pdf_text(response.content)
    assert owner_client.get(reverse("documents:invoice_pdf", args=[theirs.pk])).status_code == 404


def test_the_client_downloads_the_pdf_from_the_invoice_link(firm):
    invoice = sent_invoice(firm, portal_customer(firm))
    response = Browser().get(invoice_link_path(invoice) + "pdf/")
    assert invoice.number in pdf_text(response.content)
    page = Browser().get(invoice_link_path(invoice)).content.decode()
    assert f'href="{portal_url("home", firm)}"' in page


def test_the_client_downloads_invoice_and_statement_pdfs_from_the_portal(firm):
    client = portal_customer(firm)
    invoice = sent_invoice(firm, client, amount=4200)
    browser = signed_in(client)
    text = pdf_text(browser.get(portal_url("invoice_pdf", firm, invoice_id=invoice.pk)).content)
    assert invoice.number in text and "$42.00" in text
    statement = browser.get(
        portal_url("statement_pdf", firm), {"start": "2000-01-01", "end": "2100-01-01"}
    )
    text = pdf_text(statement.content)
    assert "Statement" in text and "Closing balance" in text and "$42.00" in text


def test_the_firm_downloads_a_receipt_from_the_invoice_page(firm, other_firm, owner_client):
    from django.utils import timezone

    from firmpay.payments.online.models import OnlinePayment
    from firmpay.payments.tests.online import connected_account, pending_payment

    invoice = sent_invoice(firm, portal_customer(firm), amount=6400)
    payment = pending_payment(invoice, connected_account(firm))
    OnlinePayment.objects.filter(pk=payment.pk).update(
        status="succeeded", succeeded_at=timezone.now(), method="card"
    )
    page = owner_client.get(reverse("invoices:detail", args=[invoice.pk])).content.decode()
    url = reverse("payment_receipts:pdf", args=[payment.pk])
    assert url in page
    text = pdf_text(owner_client.get(url).content)
    assert f"Receipt R-{payment.pk}" in text and invoice.number in text and "$64.00" in text
    outsider = sent_invoice(other_firm, portal_customer(other_firm))
    theirs = pending_payment(outsider, connected_account(other_firm))
    assert owner_client.get(reverse("payment_receipts:pdf", args=[theirs.pk])).status_code == 404
