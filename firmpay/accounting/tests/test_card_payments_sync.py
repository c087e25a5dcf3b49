"""A client pays by card through the Stripe sandbox and the books follow, for each vendor:
connect → invoice sent → paid by card → the payment recorded there once (also when the
first attempt times out after the vendor stored it) → full refund → reversed there.

Nothing is faked on Firmpay's side: the firm's connected account lives in the sandbox, the
client pays its Checkout Session with the sandbox's control call, the sandbox delivers the
signed events to a local receiver registered as Firmpay's Connect endpoint, and each
delivery is posted to Firmpay's webhook URL as it arrived (signature checked, stored,
processed after commit). Xero and QuickBooks are the respx fakes."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from firmpay.accounting.models import SyncItem, SyncStatus
from firmpay.accounting.tests.flows import connect_quickbooks, connect_xero, drain, sent_invoice
from firmpay.payments.online.checkout import checkout_start
from firmpay.payments.online.models import OnlinePayment
from firmpay.payments.online.refunds import payment_refund_create
from firmpay.payments.services import payment_account_create, payment_account_refresh
from firmpay.payments.stripe import endpoints

pytestmark = pytest.mark.django_db

PAGE = "http://testserver/i/x/"


@dataclass
class Books:
    """One vendor's fake, seen the same way: its payments against the one invoice."""

    vendor: str
    fake: object

    def invoice(self) -> dict:
        (invoice,) = self.fake.invoices.values()
        return invoice

    def invoice_id(self) -> str:
        return self.invoice()["InvoiceID" if self.vendor == "xero" else "Id"]

    def payments(self, *, live: bool = True) -> list[dict]:
        rows = self.fake.live_payments() if live else list(self.fake.payments.values())
        return [row for row in rows if self._invoice_of(row) == self.invoice_id()]

    def amount(self, payment: dict) -> Decimal:
        return Decimal(payment["Amount" if self.vendor == "xero" else "TotalAmt"])

    def reversed(self, payment: dict) -> bool:
        return payment["Status"] == "DELETED" if self.vendor == "xero" else payment["deleted"]

    def date(self, payment: dict) -> str:
        return str(payment["Date" if self.vendor == "xero" else "TxnDate"])

    def amount_due(self) -> Decimal:
        invoice = self.invoice()
        return Decimal(invoice["AmountDue" if self.vendor == "xero" else "Balance"])

    def time_out_after_storing_the_next_payment(self) -> None:
        if self.vendor == "xero":
            self.fake.fail_next("timeout_after_store", path_contains="Payments", method="PUT")
        else:
            self.fake.fail_next("timeout_after_store", path_contains="payment", method="POST")

    def payment_writes(self) -> list:
        if self.vendor == "xero":
            return self.fake.api_calls("PUT", "Payments")
        return self.fake.api_calls("POST", "payment")

    def _invoice_of(self, payment: dict) -> str:
        if self.vendor == "xero":
            return payment["InvoiceID"]
        return payment["Line"][0]["LinkedTxn"][0]["TxnId"]


@pytest.fixture(params=["xero", "quickbooks"])
def books(request, owner_client) -> Books:
    """The firm connected to the vendor through the real views."""
    if request.param == "xero":
        fake = request.getfixturevalue("xero")
        connect_xero(owner_client, fake)
    else:
        fake = request.getfixturevalue("qbo")
        connect_quickbooks(owner_client, fake)
    return Books(request.param, fake)


@pytest.fixture
def stripe_live(settings, stripe_sandbox, webhook_receiver, tmp_path, firm, owner):
    """The firm's connected account, verified in the sandbox, and Firmpay's Connect webhook
    endpoint registered there (pointing at the receiver) with its signing secret."""
    settings.STRIPE_API_BASE = stripe_sandbox.base_url
    settings.STRIPE_SECRET_KEY = stripe_sandbox.secret_key
    settings.STRIPE_CONNECT_CLIENT_ID = stripe_sandbox.client_id
    settings.STRIPE_WEBHOOK_SECRET_FILE = str(tmp_path / "stripe_webhook_secret")
    settings.STRIPE_SANDBOX_MODE = True
    firm.plan = "standard"  # a free firm cannot take card payments
    firm.save(update_fields=["plan"])
    endpoint = endpoints.endpoint_ensure(webhook_receiver.url)
    settings.STRIPE_WEBHOOK_SECRET = [endpoint.secret]
    account = payment_account_create(firm=firm, actor=owner)
    stripe_sandbox.control(
        "POST", f"accounts/{account.stripe_account_id}/state", {"state": "verified"}
    )
    return payment_account_refresh(account=account)


class Webhooks:
    """Forwards what the sandbox delivered to the receiver to Firmpay's webhook URL, once
    each, as signed; processing runs after commit as in production."""

    def __init__(self, client, stripe_sandbox, receiver, capture):
        self.client, self.sandbox, self.receiver, self.capture = (
            client,
            stripe_sandbox,
            receiver,
            capture,
        )
        self.forwarded = 0

    def deliver(self) -> list[str]:
        self.sandbox.drain()
        deliveries = self.receiver.received[self.forwarded :]
        self.forwarded += len(deliveries)
        received = []
        for delivery in deliveries:
            headers = {key.lower(): value for key, value in delivery["headers"].items()}
            with self.capture(execute=True):
                response = self.client.post(
                    "/webhooks/stripe/",
                    data=delivery["body"],
                    content_type="application/json",
                    HTTP_STRIPE_SIGNATURE=headers["stripe-signature"],
                )
            assert response.status_code == 200, response.content
            received.append(response.json()["received"])
        return received


@pytest.fixture
def stripe_webhooks(client, stripe_sandbox, webhook_receiver, django_capture_on_commit_callbacks):
    return Webhooks(client, stripe_sandbox, webhook_receiver, django_capture_on_commit_callbacks)


def pay_by_card(stripe_sandbox, invoice) -> OnlinePayment:
    """The client presses Pay and pays the Checkout Session by card."""
    invoice.refresh_from_db()
    payment = checkout_start(invoice=invoice, return_url=PAGE)
    answer = stripe_sandbox.control(
        "POST",
        f"checkout/sessions/{payment.checkout_session_id}/pay",
        {"method": "card", "outcome": "succeed"},
    )
    assert answer["payment_intent"]["status"] == "succeeded"
    return payment


def test_card_payment_is_recorded_there_once_against_the_invoice(
    books, firm, stripe_live, stripe_sandbox, stripe_webhooks
):
    invoice = sent_invoice(firm)
    drain()
    assert books.amount_due() == Decimal("248.14")

    payment = pay_by_card(stripe_sandbox, invoice)
    assert stripe_webhooks.deliver()
    drain()

    payment.refresh_from_db()
    invoice.refresh_from_db()
    assert (payment.status, invoice.status) == ("succeeded", "paid")
    (remote,) = books.payments()
    assert books.amount(remote) == Decimal("248.14") and books.amount_due() == 0
    item = SyncItem.objects.get(key=f"payment:online:{payment.pk}:record")
    assert item.status == SyncStatus.DONE and item.payload["currency"] == "USD"
    assert item.payload["reference"] == payment.payment_intent_id
    # Stripe delivering the same events again books nothing more.
    stripe_webhooks.forwarded = 0
    stripe_webhooks.deliver()
    drain()
    assert len(books.payments()) == 1 and len(books.payment_writes()) == 1


def test_card_payment_is_booked_once_when_the_first_answer_is_lost(
    books, firm, stripe_live, stripe_sandbox, stripe_webhooks
):
    invoice = sent_invoice(firm)
    drain()
    books.time_out_after_storing_the_next_payment()

    payment = pay_by_card(stripe_sandbox, invoice)
    stripe_webhooks.deliver()
    drain()
    item = SyncItem.objects.get(key=f"payment:online:{payment.pk}:record")
    assert item.status == SyncStatus.PENDING and "timed out" in item.last_error
    assert len(books.payments()) == 1  # stored there; we never heard back

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2)):
        drain()

    item.refresh_from_db()
    assert item.status == SyncStatus.DONE and item.attempts == 2
    (remote,) = books.payments()
    assert books.amount(remote) == Decimal("248.14") and books.amount_due() == 0
    assert len(books.payment_writes()) == 2  # the retry replayed the same key


def test_card_payment_is_dated_on_the_firms_calendar(
    books, firm, stripe_live, stripe_sandbox, stripe_webhooks
):
    """A New York firm's client pays at 22:00 local (03:00 UTC the next day): the books show
    the payment on the day it was made there, as the invoice's dates are."""
    firm.timezone = "America/New_York"
    firm.save(update_fields=["timezone"])
    invoice = sent_invoice(firm)
    drain()
    sandbox_now = datetime.datetime.fromtimestamp(
        stripe_sandbox.control("GET", "clock")["now"], datetime.UTC
    )
    three_am = sandbox_now.replace(hour=3, minute=0, second=0, microsecond=0)
    if three_am <= sandbox_now:
        three_am += datetime.timedelta(days=1)
    stripe_sandbox.advance(seconds=(three_am - sandbox_now).total_seconds())

    payment = pay_by_card(stripe_sandbox, invoice)
    stripe_webhooks.deliver()
    drain()

    payment.refresh_from_db()
    assert payment.succeeded_at.date() == three_am.date()
    (remote,) = books.payments()
    assert books.date(remote) == (three_am - datetime.timedelta(days=1)).date().isoformat()


def test_full_refund_of_a_card_payment_reverses_it_there(
    books, firm, owner, stripe_live, stripe_sandbox, stripe_webhooks
):
    invoice = sent_invoice(firm)
    drain()
    payment = pay_by_card(stripe_sandbox, invoice)
    stripe_webhooks.deliver()
    drain()
    assert len(books.payments()) == 1

    payment.refresh_from_db()
    payment_refund_create(
        payment=payment,
        amount=payment.amount,
        reason="requested_by_customer",
        actor=owner,
        request_key="refund-1",
    )
    stripe_webhooks.deliver()
    drain()

    payment.refresh_from_db()
    invoice.refresh_from_db()
    assert payment.status == "refunded" and invoice.status == "refunded"
    (remote,) = books.payments(live=False)
    assert books.reversed(remote) and books.payments() == []
    assert books.amount(remote) == Decimal("248.14")
    assert books.amount_due() == Decimal("248.14")
    item = SyncItem.objects.get(key=f"payment:online:{payment.pk}:reverse")
    assert item.status == SyncStatus.DONE
