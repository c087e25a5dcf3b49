"""Paying several invoices at once, against the Stripe sandbox (real SDK over HTTP): one
session for the total, allocated oldest first; a partial refund comes back off the newest
invoice first; a failed debit reopens them all; the books get one payment per invoice; and
no invoice is ever in two open checkouts (portal and invoice link) at once."""

from __future__ import annotations

import datetime
import re
import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client as Browser
from django.urls import reverse

from firmpay.accounting.models import AccountingConnection, SyncItem
from firmpay.payments.online.allocation_models import InvoicePaymentClaim
from firmpay.payments.online.checkout import checkout_start
from firmpay.payments.online.exceptions import InvoiceBeingPaid, InvoicesNotPayable
from firmpay.payments.online.models import OnlinePayment
from firmpay.payments.online.multi_checkout import checkout_start_several
from firmpay.payments.online.refunds import payment_refund_create
from firmpay.payments.services import payment_account_create, payment_account_refresh
from firmpay.payments.tests.online import deliver
from firmpay.portal.tests.builders import (
    follow_link,
    portal_customer,
    portal_url,
    request_link,
    sent_invoice,
    signin_links,
)
from firmpay.tenancy.tests.factories import client_for

pytestmark = pytest.mark.django_db

HOME = "http://testserver/portal/1/"


@pytest.fixture
def live_firm(stripe_settings, stripe_sandbox, firm, owner):
    firm.plan = "standard"
    firm.save()
    account = payment_account_create(firm=firm, actor=owner)
    stripe_sandbox.control(
        "POST", f"accounts/{account.stripe_account_id}/state", {"state": "verified"}
    )
    payment_account_refresh(account=account)
    firm.account = account
    return firm


@pytest.fixture
def three_open(live_firm):
    client = portal_customer(live_firm)
    dated = lambda day: {"issue_date": datetime.date(2026, 9, day)}  # noqa: E731
    newest = sent_invoice(live_firm, client, amount=30000, **dated(20))
    oldest = sent_invoice(live_firm, client, amount=10000, **dated(1))
    middle = sent_invoice(live_firm, client, amount=20000, **dated(10))
    return client, [oldest, middle, newest]


def start(firm, client, invoices=None) -> OnlinePayment:
    return checkout_start_several(
        firm=firm,
        client=client,
        invoice_ids=None if invoices is None else [i.pk for i in invoices],
        success_url=HOME + "pay/{payment_id}/",
        cancel_url=HOME,
    )


def pay(stripe_sandbox, payment, method="card", outcome="succeed") -> dict:
    return stripe_sandbox.control(
        "POST",
        f"checkout/sessions/{payment.checkout_session_id}/pay",
        {"method": method, "outcome": outcome},
    )


def feed(stripe_sandbox, firm, seen: set) -> None:
    events = stripe_sandbox.client().v1.events.list(
        params={"limit": 100}, options={"stripe_account": firm.account.stripe_account_id}
    )
    for event in reversed(events.data):
        if event.id not in seen:
            seen.add(event.id)
            deliver(event.to_dict())


def states(invoices) -> list[tuple[str, int]]:
    for invoice in invoices:
        invoice.refresh_from_db()
    return [(i.status, i.amount_due) for i in invoices]


def test_one_session_for_the_total_allocated_oldest_first(three_open, live_firm, stripe_sandbox):
    client, (oldest, middle, newest) = three_open
    payment = start(live_firm, client, [newest, oldest])
    session = stripe_sandbox.client().v1.checkout.sessions.retrieve(
        payment.checkout_session_id, options={"stripe_account": live_firm.account.stripe_account_id}
    )
    assert session.amount_total == 40000
    assert session.success_url == f"{HOME}pay/{payment.pk}/"
    allocations = list(payment.allocations.values_list("invoice_id", "amount"))
    assert allocations == [(oldest.pk, 10000), (newest.pk, 30000)]
    pay(stripe_sandbox, payment)
    feed(stripe_sandbox, live_firm, set())
    assert states([oldest, middle, newest]) == [("paid", 0), ("open", 20000), ("paid", 0)]


def test_pay_all_takes_every_open_invoice(three_open, live_firm, stripe_sandbox):
    client, invoices = three_open
    payment = start(live_firm, client)
    assert payment.amount == 60000
    assert [a.invoice_id for a in payment.allocations.all()] == [i.pk for i in invoices]


def test_the_same_choice_again_reuses_the_open_session(three_open, live_firm):
    client, (oldest, middle, _newest) = three_open
    first = start(live_firm, client, [oldest, middle])
    assert start(live_firm, client, [middle, oldest]).pk == first.pk


def test_another_clients_or_firms_invoice_cannot_be_chosen(
    three_open, live_firm, other_firm, stripe_sandbox
):
    client, (oldest, *_rest) = three_open
    stranger = portal_customer(live_firm, name="Stranger")
    theirs = sent_invoice(live_firm, stranger)
    elsewhere = sent_invoice(other_firm, portal_customer(other_firm))
    for foreign in (theirs, elsewhere):
        with pytest.raises(InvoicesNotPayable):
            start(live_firm, client, [oldest, foreign])
    assert not OnlinePayment.objects.filter(firm=live_firm).exists()


def test_a_partial_refund_comes_back_off_the_newest_invoice_first(
    three_open, live_firm, stripe_sandbox, owner
):
    client, invoices = three_open
    payment = start(live_firm, client)
    pay(stripe_sandbox, payment)
    seen: set = set()
    feed(stripe_sandbox, live_firm, seen)
    payment.refresh_from_db()
    payment_refund_create(
        payment=payment,
        amount=35000,
        reason="requested_by_customer",
        actor=owner,
        request_key="refund-1",
    )
    feed(stripe_sandbox, live_firm, seen)
    # The newest was wholly refunded (the status says so, with its amount due again).
    assert states(invoices) == [("paid", 0), ("partially_paid", 5000), ("refunded", 30000)]


def test_a_failed_debit_reopens_every_invoice_it_paid(three_open, live_firm, stripe_sandbox):
    client, (oldest, middle, newest) = three_open
    payment = start(live_firm, client, [oldest, middle])
    pay(stripe_sandbox, payment, method="us_bank_account", outcome="fail_later")
    seen: set = set()
    feed(stripe_sandbox, live_firm, seen)
    assert states([oldest, middle]) == [
        ("payment_processing", 10000),
        ("payment_processing", 20000),
    ]
    stripe_sandbox.advance(days=5)
    feed(stripe_sandbox, live_firm, seen)
    assert states([oldest, middle, newest]) == [("open", 10000), ("open", 20000), ("open", 30000)]


def test_the_books_get_one_payment_per_invoice_and_the_refund_on_the_right_one(
    three_open, live_firm, stripe_sandbox, owner
):
    AccountingConnection.objects.create(firm=live_firm, vendor="xero", status="connected")
    client, (oldest, middle, newest) = three_open
    payment = start(live_firm, client, [oldest, middle])
    pay(stripe_sandbox, payment)
    seen: set = set()
    feed(stripe_sandbox, live_firm, seen)
    recorded = SyncItem.objects.filter(action="payment_record").order_by("id")
    assert [(s.invoice_id, s.payment_key) for s in recorded] == [
        (oldest.pk, f"online:{payment.pk}:invoice:{oldest.pk}"),
        (middle.pk, f"online:{payment.pk}:invoice:{middle.pk}"),
    ]
    payment.refresh_from_db()
    payment_refund_create(
        payment=payment,
        amount=5000,
        reason="requested_by_customer",
        actor=owner,
        request_key="refund-2",
    )
    feed(stripe_sandbox, live_firm, seen)
    reversed_keys = list(
        SyncItem.objects.filter(action="payment_reverse").values_list("payment_key", flat=True)
    )
    assert reversed_keys == [f"online:{payment.pk}:invoice:{middle.pk}"]
    assert SyncItem.objects.filter(
        payment_key=f"online:{payment.pk}:invoice:{middle.pk}:after-refund:5000"
    ).exists()


# --- the race between the portal and the invoice link ----------------------------------


def test_a_portal_checkout_closes_the_open_invoice_link_checkout(
    three_open, live_firm, stripe_sandbox
):
    client, (oldest, middle, _newest) = three_open
    link = checkout_start(invoice=oldest, return_url="http://testserver/i/x/")
    portal = start(live_firm, client, [oldest, middle])
    link.refresh_from_db()
    assert link.status == "expired"
    with pytest.raises(Exception, match="expired"):
        pay(stripe_sandbox, link)
    assert InvoicePaymentClaim.objects.get(invoice=oldest).payment_id == portal.pk


def test_an_invoice_link_checkout_closes_the_open_portal_checkout(
    three_open, live_firm, stripe_sandbox
):
    client, (oldest, middle, _newest) = three_open
    portal = start(live_firm, client, [oldest, middle])
    link = checkout_start(invoice=middle, return_url="http://testserver/i/x/")
    portal.refresh_from_db()
    assert portal.status == "expired"
    with pytest.raises(Exception, match="expired"):
        pay(stripe_sandbox, portal)
    pay(stripe_sandbox, link)
    feed(stripe_sandbox, live_firm, set())
    assert states([oldest, middle]) == [("open", 10000), ("paid", 0)]


def test_a_checkout_paid_a_moment_ago_is_not_opened_again(three_open, live_firm, stripe_sandbox):
    client, (oldest, middle, _newest) = three_open
    link = checkout_start(invoice=oldest, return_url="http://testserver/i/x/")
    pay(stripe_sandbox, link)  # paid at Stripe; its events not here yet
    with pytest.raises(InvoiceBeingPaid):
        start(live_firm, client, [oldest, middle])
    assert OnlinePayment.objects.filter(firm=live_firm).count() == 1
    feed(stripe_sandbox, live_firm, set())
    assert states([oldest, middle]) == [("paid", 0), ("open", 20000)]


def test_the_database_refuses_a_second_claim_on_an_invoice(three_open, live_firm):
    client, (oldest, middle, _newest) = three_open
    portal = start(live_firm, client, [oldest, middle])
    with pytest.raises(IntegrityError), transaction.atomic():
        InvoicePaymentClaim.objects.create(firm=live_firm, invoice=oldest, payment=portal)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    "postgresql" not in __import__("django.conf").conf.settings.DATABASES["default"]["ENGINE"],
    reason="threads racing on row locks: PostgreSQL",
)
def test_a_portal_and_an_invoice_link_checkout_racing_leave_one_open_session(
    three_open, live_firm, stripe_sandbox
):
    client, (oldest, middle, _newest) = three_open
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt(start_checkout):
        barrier.wait()
        try:
            outcomes.append(start_checkout().pk)
        except InvoiceBeingPaid as error:
            outcomes.append(error)
        finally:
            connection.close()

    racers = [
        lambda: start(live_firm, client, [oldest, middle]),
        lambda: checkout_start(invoice=oldest, return_url="http://testserver/i/x/"),
    ]
    threads = [threading.Thread(target=attempt, args=(racer,)) for racer in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sessions = stripe_sandbox.client().v1.checkout.sessions.list(
        options={"stripe_account": live_firm.account.stripe_account_id}
    )
    still_open = [s for s in sessions.data if s.status == "open"]
    assert len(still_open) == 1
    claim = InvoicePaymentClaim.objects.get(invoice=oldest)
    assert OnlinePayment.objects.get(pk=claim.payment_id).checkout_session_id == still_open[0].id


def test_a_payment_for_several_invoices_is_listed_for_every_invoice_it_paid(
    three_open, live_firm, stripe_sandbox, owner, django_capture_on_commit_callbacks
):
    """The client's payment history, statement and the firm's payments list name each
    invoice the payment paid, not only the first."""
    client, (oldest, middle, newest) = three_open
    payment = start(live_firm, client, [newest, oldest])
    pay(stripe_sandbox, payment)
    feed(stripe_sandbox, live_firm, set())

    browser = Browser()
    with django_capture_on_commit_callbacks(execute=True):  # the sign-in email
        request_link(browser, live_firm, client.email)
    follow_link(browser, *signin_links(client.email)[-1])
    history = browser.get(portal_url("payments", live_firm)).content.decode()
    row = re.search(rf'<tr data-payment="{payment.pk}">(.*?)</tr>', history, re.S).group(1)
    assert f"{oldest.number}, {newest.number}" in row and middle.number not in row

    today = datetime.date.today()
    statement = browser.get(
        portal_url("statement", live_firm),
        {"start": (today - datetime.timedelta(days=3)).isoformat(), "end": today.isoformat()},
    ).context["statement"]
    (paid,) = [e for e in statement.entries if e.kind == "payment"]
    assert paid.credit == 40000
    assert oldest.number in paid.description and newest.number in paid.description

    listing = client_for(owner, live_firm).get(reverse("online_payments:list")).content.decode()
    row = re.search(rf'<tr data-payment="{payment.pk}">(.*?)</tr>', listing, re.S).group(1)
    for invoice in (oldest, newest):
        assert f'href="/invoices/{invoice.pk}/">{invoice.number}</a>' in row
    assert middle.number not in row
    # Each invoice's payment panel: the payment's fees, said to be for the whole payment.
    detail = client_for(owner, live_firm).get(reverse("invoices:detail", args=[newest.pk]))
    whole = re.search(rf'id="payment-fees-whole-{payment.pk}">(.*?)</p>', detail.content.decode())
    assert whole.group(1) == (
        f"For the whole payment, which paid {oldest.number} ($100.00), {newest.number} ($300.00)."
    )
