"""A client never sees another client's or another firm's data: every portal URL, tried
with the other's ids, is a 404 (or the sign-in page of a portal the client is not signed
in to), and paying another's invoice starts nothing."""

import pytest
from django.utils import timezone

from firmpay.payments.online.models import OnlinePayment
from firmpay.payments.tests.online import connected_account, pending_payment
from firmpay.portal.tests.builders import portal_customer, portal_url, sent_invoice, signed_in

pytestmark = pytest.mark.django_db(transaction=True)


def paid_online(invoice) -> OnlinePayment:
    account = connected_account(invoice.firm)
    payment = pending_payment(invoice, account)
    OnlinePayment.objects.filter(pk=payment.pk).update(
        status="succeeded", succeeded_at=timezone.now(), method="card"
    )
    return payment


@pytest.fixture
def others(firm, other_firm):
    """Another client of the same firm, and a client of another firm with the same email
    as ours, each with an invoice and a payment."""
    me = portal_customer(firm, email="me@acme.test")
    neighbour = portal_customer(firm, name="Neighbour Ltd")
    stranger = portal_customer(other_firm, name="Stranger", email="me@acme.test")
    found = {"me": me}
    for key, client in (("neighbour", neighbour), ("stranger", stranger)):
        invoice = sent_invoice(client.firm, client, amount=7777)
        found[key] = (client, invoice, paid_online(invoice))
    return found


def test_every_portal_url_with_another_clients_ids_is_not_found(firm, others):
    browser = signed_in(others["me"])
    for key in ("neighbour", "stranger"):
        _client, invoice, payment = others[key]
        for name, kwargs in [
            ("invoice", {"invoice_id": invoice.pk}),
            ("invoice_pdf", {"invoice_id": invoice.pk}),
            ("receipt_pdf", {"payment_id": payment.pk}),
            ("paid_return", {"payment_id": payment.pk}),
        ]:
            response = browser.get(portal_url(name, firm, **kwargs))
            assert response.status_code == 404, (key, name)


def test_lists_statement_and_pdfs_hold_only_the_clients_own_rows(firm, others):
    browser = signed_in(others["me"])
    sent_invoice(firm, others["me"], amount=1234)
    for name in ("home", "paid", "payments", "statement"):
        html = browser.get(portal_url(name, firm)).content.decode()
        for key in ("neighbour", "stranger"):
            _client, invoice, _payment = others[key]
            assert "77.77" not in html, (name, key)
    statement = browser.get(portal_url("statement_pdf", firm), {"start": "2000-01-01"})
    assert b"77.77" not in statement.content


def test_another_firms_portal_is_not_signed_in_by_ours(firm, other_firm, others):
    browser = signed_in(others["me"])
    stranger, invoice, payment = others["stranger"]
    assert browser.get(portal_url("home", other_firm)).context["client"] is None
    for name, kwargs in [
        ("paid", {}),
        ("payments", {}),
        ("statement", {}),
        ("details", {}),
        ("methods", {}),
        ("invoice", {"invoice_id": invoice.pk}),
        ("receipt_pdf", {"payment_id": payment.pk}),
    ]:
        response = browser.get(portal_url(name, other_firm, **kwargs))
        assert response.status_code == 302, name
        assert response["Location"] == portal_url("home", other_firm)


def test_paying_another_clients_invoice_starts_nothing(firm, others):
    browser = signed_in(others["me"])
    _client, invoice, _payment = others["neighbour"]
    before = OnlinePayment.objects.count()
    response = browser.post(portal_url("pay", firm), {"invoice": [invoice.pk]}, follow=True)
    assert "Choose open invoices to pay." in response.content.decode()
    assert OnlinePayment.objects.count() == before


def test_details_change_only_the_signed_in_client(firm, others):
    browser = signed_in(others["me"])
    browser.post(portal_url("details", firm), {"form": "contact", "name": "Me Renamed"})
    neighbour, *_ = others["neighbour"]
    stranger, *_ = others["stranger"]
    neighbour.refresh_from_db()
    stranger.refresh_from_db()
    others["me"].refresh_from_db()
    assert others["me"].name == "Me Renamed"
    assert (neighbour.name, stranger.name) == ("Neighbour Ltd", "Stranger")


def test_a_portal_cannot_be_found_by_counting_firms(firm, other_firm):
    """Portal URLs carry each firm's random key: walking /portal/1/, /portal/2/ … finds no
    firm's name, and one firm's key says nothing about another's."""
    from django.test import Client as Browser

    browser = Browser()
    for guess in (firm.pk, other_firm.pk, f"{firm.pk:032d}"):
        response = browser.get(f"/portal/{guess}/")
        assert response.status_code == 404
        assert firm.name not in response.content.decode()
    page = browser.get(portal_url("home", firm))
    assert page.status_code == 200 and firm.name in page.content.decode()
    assert len(firm.portal_key) == 32 and firm.portal_key != other_firm.portal_key
