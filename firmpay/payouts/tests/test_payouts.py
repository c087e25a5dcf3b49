"""Payouts through the Stripe sandbox: card payments, a refund and Firmpay's fee become an
automatic payout; the firm sees every part of it, summing to what reached the bank."""

from __future__ import annotations

import pytest
from django.urls import reverse

from firmpay.payments.online.checkout import checkout_start
from firmpay.payments.online.models import OnlinePayment
from firmpay.payments.online.refunds import payment_refund_create
from firmpay.payments.services import (
    payment_account_create,
    payment_account_disconnect,
    payment_account_refresh,
)
from firmpay.payments.tests.online import deliver, sent_invoice
from firmpay.payouts.models import ItemKind, Payout
from firmpay.payouts.services import payouts_reconcile
from firmpay.tenancy.tests.factories import client_for

PAGE = "http://testserver/i/x/"
pytestmark = pytest.mark.django_db


@pytest.fixture
def live_firm(stripe_settings, stripe_sandbox, make_firm):
    firm = make_firm()
    account = payment_account_create(firm=firm, actor=firm.owner)
    stripe_sandbox.control(
        "POST", f"accounts/{account.stripe_account_id}/state", {"state": "verified"}
    )
    payment_account_refresh(account=account)
    return firm, account


class Feed:
    """Feeds the account's sandbox events through the processing service, as the webhook
    would, each once (after-commit work such as itemising runs)."""

    def __init__(self, stripe_sandbox, account_id, capture):
        self.sandbox, self.account_id, self.capture = stripe_sandbox, account_id, capture
        self.seen: set[str] = set()

    def __call__(self, *, only=None, skip=()):
        events = self.sandbox.client().v1.events.list(
            params={"limit": 100}, options={"stripe_account": self.account_id}
        )
        for event in reversed(events.data):
            wanted = (only is None or event.type.startswith(only)) and not event.type.startswith(
                skip
            )
            if event.id not in self.seen and wanted:
                self.seen.add(event.id)
                with self.capture(execute=True):
                    deliver(event.to_dict())


@pytest.fixture
def feed(live_firm, stripe_sandbox, django_capture_on_commit_callbacks):
    return Feed(stripe_sandbox, live_firm[1].stripe_account_id, django_capture_on_commit_callbacks)


def paid_invoice(stripe_sandbox, firm, amount=10000):
    invoice = sent_invoice(firm, amount=amount)
    payment = checkout_start(invoice=invoice, return_url=PAGE)
    stripe_sandbox.control(
        "POST", f"checkout/sessions/{payment.checkout_session_id}/pay", {"method": "card"}
    )
    return invoice, payment


def test_a_payout_lists_each_payment_refund_and_fee_and_adds_up_to_the_payout(
    live_firm, stripe_sandbox, feed
):
    firm, account = live_firm
    first_invoice, first = paid_invoice(stripe_sandbox, firm, 10000)
    _, second = paid_invoice(stripe_sandbox, firm, 20000)
    feed()
    payment_refund_create(
        payment=OnlinePayment.objects.get(pk=first.pk),
        amount=4000,
        reason="requested_by_customer",
        actor=firm.owner,
        request_key="refund-1",
    )
    stripe_sandbox.advance(days=3)  # available after 2 days, swept the next morning
    feed()

    payout = Payout.objects.get(firm=firm)
    assert payout.automatic and payout.status == "pending" and payout.itemized_at
    items = list(payout.items.order_by("id"))
    assert sorted(item.kind for item in items) == ["payment", "payment", "refund"]
    assert sum(item.net for item in items) == payout.amount
    payments = [item for item in items if item.kind == ItemKind.PAYMENT]
    assert {item.online_payment_id for item in payments} == {first.pk, second.pk}
    assert sorted(item.firmpay_fee for item in payments) == [75, 150]  # 0.75% on Standard
    assert all(item.stripe_fee > 0 for item in payments)
    refund = next(item for item in items if item.kind == ItemKind.REFUND)
    assert (refund.amount, refund.online_payment_id) == (-4000, first.pk)

    page = client_for(firm.owner, firm).get(reverse("payouts:detail", args=[payout.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert first_invoice.number in text and "Firmpay fees" in text
    assert "exactly the payout" in text

    stripe_sandbox.advance(days=2)
    feed()
    payout.refresh_from_db()
    assert payout.status == "paid"
    listing = client_for(firm.owner, firm).get(reverse("payouts:list")).content.decode()
    assert payout.stripe_payout_id in listing and "Paid" in listing


def test_a_payout_arriving_before_its_payments_events_links_them_later(
    live_firm, stripe_sandbox, feed
):
    firm, _account = live_firm
    invoice, payment = paid_invoice(stripe_sandbox, firm)
    stripe_sandbox.advance(days=3)
    feed(only="payout.")  # the payment's own events are late

    payout = Payout.objects.get(firm=firm)
    (item,) = payout.items.all()
    assert item.online_payment_id is None
    page = client_for(firm.owner, firm).get(reverse("payouts:detail", args=[payout.pk]))
    assert "Not recorded in Firmpay yet" in page.content.decode()

    feed()
    payouts_reconcile()
    item.refresh_from_db()
    assert item.online_payment_id == payment.pk
    page = client_for(firm.owner, firm).get(reverse("payouts:detail", args=[payout.pk]))
    assert invoice.number in page.content.decode()


def test_a_failed_payout_says_why_and_raises_the_banner(live_firm, stripe_sandbox, feed):
    firm, _account = live_firm
    paid_invoice(stripe_sandbox, firm)
    stripe_sandbox.advance(days=3)
    feed()
    payout = Payout.objects.get(firm=firm)
    stripe_sandbox.control(
        "POST",
        f"payouts/{payout.stripe_payout_id}/outcome",
        {"outcome": "failed", "failure_code": "account_closed"},
    )
    feed()

    payout.refresh_from_db()
    assert (payout.status, payout.failure_code) == ("failed", "account_closed")
    page = client_for(firm.owner, firm).get(reverse("invoices:list")).content.decode()
    assert "did not reach your bank" in page
    assert "The bank account has been closed." in page
    assert reverse("payouts:detail", args=[payout.pk]) in page


def test_events_in_any_order_and_twice_leave_one_payout_in_its_latest_state(
    live_firm, stripe_sandbox, feed
):
    firm, account = live_firm
    paid_invoice(stripe_sandbox, firm)
    stripe_sandbox.advance(days=3)  # swept: created
    stripe_sandbox.advance(days=2)  # arrived: paid
    events = stripe_sandbox.client().v1.events.list(
        params={"limit": 100}, options={"stripe_account": account.stripe_account_id}
    )
    payout_events = [e.to_dict() for e in events.data if e.type.startswith("payout.")]
    assert [e["type"] for e in payout_events] == ["payout.paid", "payout.created"]  # newest first
    for data in payout_events + payout_events:  # paid before created, then both again
        deliver(data)

    payout = Payout.objects.get(firm=firm)
    assert payout.status == "paid"
    payouts_reconcile()
    payouts_reconcile()
    assert payout.items.count() == 1


def test_a_payout_of_a_disconnected_account_is_still_recorded(
    live_firm, stripe_sandbox, feed, django_user_model
):
    firm, account = live_firm
    paid_invoice(stripe_sandbox, firm)
    feed()
    support = django_user_model.objects.create_user("support@firmpay.test", "pw", is_staff=True)
    payment_account_disconnect(account=account, actor=support, reason="closing", by_support=True)
    stripe_sandbox.advance(days=3)
    feed()

    payout = Payout.objects.get(firm=firm)
    assert payout.itemized_at and payout.items.count() == 1


def test_another_firm_cannot_open_a_payout(live_firm, stripe_sandbox, feed, make_firm):
    firm, _account = live_firm
    paid_invoice(stripe_sandbox, firm)
    stripe_sandbox.advance(days=3)
    feed()
    payout = Payout.objects.get(firm=firm)
    other = make_firm()
    response = client_for(other.owner, other).get(reverse("payouts:detail", args=[payout.pk]))
    assert response.status_code == 404
    assert (
        payout.stripe_payout_id
        not in client_for(other.owner, other).get(reverse("payouts:list")).content.decode()
    )


def test_each_payment_shows_stripes_fee_firmpays_fee_and_net_once_paid_out(
    live_firm, stripe_sandbox, feed
):
    firm, _account = live_firm
    _, payment = paid_invoice(stripe_sandbox, firm, 10000)
    feed()
    listing = client_for(firm.owner, firm).get(reverse("online_payments:list")).content.decode()
    assert "Known once Stripe pays the payment out" in listing

    stripe_sandbox.advance(days=3)
    feed()
    item = Payout.objects.get(firm=firm).items.get(kind=ItemKind.PAYMENT)
    listing = client_for(firm.owner, firm).get(reverse("online_payments:list")).content.decode()
    assert item.stripe_fee == 320  # 2.9% + 30¢ of $100.00
    assert "$3.20" in listing and "$0.75" in listing  # Stripe's fee, Firmpay's 0.75%
    assert "$96.05" in listing  # what the payment left: $100.00 − $3.20 − $0.75
