"""The firm's invoice page while money moves (issue 18, points 1 and 5): it says what is
on its way, cannot be voided meanwhile, and follows the payment by itself (an htmx poll
answered 204 while nothing changed, the page again once it did)."""

import re

import pytest
from django.db import transaction
from django.utils import timezone

from firmpay.clients.tests.builders import member_build
from firmpay.invoices.exceptions import InvoiceError
from firmpay.invoices.models import Invoice, InvoiceStatus
from firmpay.invoices.services import invoice_recompute_status, invoice_void
from firmpay.payments.tests.online import connected_account, pending_payment, sent_invoice
from firmpay.tenancy.models import Role
from firmpay.tenancy.tests.factories import make_firm

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def firm():
    return make_firm(name="Ledger & Sons")


@pytest.fixture
def owner(client, firm):
    client.force_login(member_build(firm=firm, role=Role.OWNER))
    return client


@pytest.fixture
def invoice(firm):
    return sent_invoice(firm, amount=15000)


def settle(payment, status: str) -> Invoice:
    payment.status = status
    payment.processing_at = payment.processing_at or timezone.now()
    payment.save()
    with transaction.atomic():
        return invoice_recompute_status(
            invoice=Invoice.objects.select_for_update().get(pk=payment.invoice_id)
        )


@pytest.fixture
def processing(firm, invoice):
    payment = pending_payment(invoice, connected_account(firm))
    settle(payment, "processing")
    return payment


def page_of(client, invoice) -> str:
    return client.get(f"/invoices/{invoice.pk}/").content.decode()


def poll_url(page: str) -> str:
    match = re.search(r'id="invoice-live" hx-get="([^"]+)" hx-trigger="every \d+s"', page)
    return match.group(1).replace("&amp;", "&") if match else ""


def test_a_processing_invoice_says_what_is_on_its_way(owner, invoice, processing):
    page = page_of(owner, invoice)
    assert "Payment processing" in page
    assert re.search(r'id="on-its-way">\$150\.00 by bank debit from Acme Ltd', page)


def test_a_processing_invoice_offers_no_void(owner, invoice, processing):
    page = page_of(owner, invoice)
    assert ">Void</button>" not in page
    assert "can be voided only if it fails" in page


def test_voiding_while_money_moves_is_refused(owner, invoice, processing):
    response = owner.post(f"/invoices/{invoice.pk}/void/", follow=True)
    assert "is on its way" in response.content.decode()
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAYMENT_PROCESSING
    with pytest.raises(InvoiceError):
        invoice_void(invoice=invoice)


def test_a_failed_debit_makes_the_invoice_voidable_again(owner, invoice, processing):
    settle(processing, "failed")
    assert ">Void</button>" in page_of(owner, invoice)
    invoice_void(invoice=Invoice.objects.get(pk=invoice.pk))
    assert Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.VOID


def test_the_page_polls_and_hears_nothing_while_nothing_changes(owner, invoice, processing):
    url = poll_url(page_of(owner, invoice))
    assert url.startswith(f"/invoices/{invoice.pk}/?since=")
    answer = owner.get(url, headers=HTMX)
    assert answer.status_code == 204 and answer.content == b""


def test_the_poll_brings_the_paid_invoice_and_polling_stops(owner, invoice, processing):
    url = poll_url(page_of(owner, invoice))
    settle(processing, "succeeded")
    page = owner.get(url, headers=HTMX).content.decode()
    assert 'id="invoice-live"' in page and "Paid" in page
    assert poll_url(page) == ""  # nothing left to change: no more polling


def test_a_draft_page_does_not_poll(owner, firm):
    from firmpay.clients.services import client_create
    from firmpay.invoices.tests.builders import invoice_build, line

    client = client_create(firm=firm, name="Draft Co", email="ap@draft.test", currency="USD")
    draft = invoice_build(firm=firm, client=client, lines=[line()])
    assert poll_url(page_of(owner, draft)) == ""
