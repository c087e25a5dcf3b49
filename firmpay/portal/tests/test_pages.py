"""What a signed-in client sees: open and paid invoices, payments, the statement, their
details (an email change confirmed by email), payment methods."""

import datetime
import re

import pytest
from django.core import mail
from django.test import Client as Browser

from firmpay.invoices.services import invoice_record_manual_payment
from firmpay.invoices.tests.builders import line
from firmpay.portal.tests.builders import portal_customer, portal_url, sent_invoice, signed_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_open_invoices_show_amounts_due_and_due_dates_oldest_due_first(firm):
    client = portal_customer(firm)
    later = sent_invoice(firm, client, amount=5000, due_date=datetime.date(2026, 12, 30))
    sooner = sent_invoice(firm, client, amount=7000, due_date=datetime.date(2026, 12, 10))
    page = signed_in(client).get(portal_url("home", firm))
    assert [i.number for i in page.context["invoices"]] == [sooner.number, later.number]
    html = page.content.decode()
    assert "$70.00" in html and "December 10, 2026" in html
    assert re.search(r'id="total-due">Due: <strong>\$120.00', html)


def test_paid_invoices_and_payment_history(firm):
    client = portal_customer(firm)
    invoice = sent_invoice(firm, client, amount=5000)
    invoice_record_manual_payment(
        invoice=invoice, amount=5000, method="bank_transfer", received_on=datetime.date(2026, 3, 2)
    )
    browser = signed_in(client)
    assert [i.number for i in browser.get(portal_url("paid", firm)).context["invoices"]] == [
        invoice.number
    ]
    history = browser.get(portal_url("payments", firm))
    assert [p.invoice.number for p in history.context["manual_payments"]] == [invoice.number]
    assert browser.get(portal_url("home", firm)).context["invoices"] == []


def test_the_statement_for_a_period(firm):
    client = portal_customer(firm)
    before = sent_invoice(firm, client, amount=10000, issue_date=datetime.date(2026, 1, 5))
    invoice_record_manual_payment(
        invoice=before, amount=4000, method="cheque", received_on=datetime.date(2026, 1, 20)
    )
    during = sent_invoice(firm, client, amount=2500, issue_date=datetime.date(2026, 2, 10))
    invoice_record_manual_payment(
        invoice=before, amount=6000, method="cheque", received_on=datetime.date(2026, 2, 15)
    )
    sent_invoice(firm, client, amount=900, issue_date=datetime.date(2026, 3, 10))
    page = signed_in(client).get(
        portal_url("statement", firm), {"start": "2026-02-01", "end": "2026-02-28"}
    )
    statement = page.context["statement"]
    assert statement.opening == 6000
    assert [(e.kind, e.debit, e.credit) for e in statement.entries] == [
        ("invoice", 2500, 0),
        ("payment", 0, 6000),
    ]
    assert statement.entries[0].description == f"Invoice {during.number}"
    assert statement.closing == 2500


def test_a_period_that_ends_before_it_starts_is_refused(firm):
    client = portal_customer(firm)
    page = signed_in(client).get(
        portal_url("statement", firm), {"start": "2026-03-01", "end": "2026-02-01"}
    )
    assert "The period must start before it ends." in page.content.decode()


def test_contact_details_change_at_once(firm):
    client = portal_customer(firm)
    browser = signed_in(client)
    browser.post(
        portal_url("details", firm),
        {"form": "contact", "name": "Acme Holdings", "city": "Leeds", "country": "UK"},
    )
    client.refresh_from_db()
    assert (client.name, client.city) == ("Acme Holdings", "Leeds")


def test_an_email_change_waits_for_the_new_address_to_confirm(firm):
    client = portal_customer(firm, email="old@acme.test")
    browser = signed_in(client)
    browser.post(portal_url("details", firm), {"form": "email", "new_email": "New@Acme.test"})
    client.refresh_from_db()
    assert client.email == "old@acme.test"
    message = next(m for m in mail.outbox if m.to == ["new@acme.test"])
    path = re.search(r"https?://[^/]+(/portal/\S+)", message.body).group(1)
    browser.post(path)
    client.refresh_from_db()
    assert client.email == "new@acme.test"
    browser.post(path)  # used: nothing more happens
    assert client.email == "new@acme.test"


def test_an_email_change_link_only_works_for_its_own_client(firm):
    client = portal_customer(firm)
    intruder = portal_customer(firm, name="Other Co")
    signed_in(client).post(
        portal_url("details", firm), {"form": "email", "new_email": "mine@acme.test"}
    )
    message = next(m for m in mail.outbox if m.to == ["mine@acme.test"])
    path = re.search(r"https?://[^/]+(/portal/\S+)", message.body).group(1)
    signed_in(intruder).post(path)
    intruder.refresh_from_db()
    client.refresh_from_db()
    assert "mine@acme.test" not in (client.email, intruder.email)


def test_payment_methods_says_none_yet(firm):
    client = portal_customer(firm)
    html = signed_in(client).get(portal_url("methods", firm)).content.decode()
    assert html.count("None yet.") == 2


def test_every_portal_page_needs_signing_in(firm):
    client = portal_customer(firm)
    invoice = sent_invoice(firm, client, lines=[line()])
    for name, kwargs in [
        ("paid", {}),
        ("payments", {}),
        ("statement", {}),
        ("details", {}),
        ("methods", {}),
        ("invoice", {"invoice_id": invoice.pk}),
        ("invoice_pdf", {"invoice_id": invoice.pk}),
        ("statement_pdf", {}),
    ]:
        response = Browser().get(portal_url(name, firm, **kwargs))
        assert response.status_code == 302, name
        assert response["Location"] == portal_url("home", firm)
