"""Booking Stripe payouts in Xero and QuickBooks (the accounting sandbox) so the firm's bank
reconciliation matches: payments go to the clearing account, each paid payout's fees go to
the fees account and its amount moves clearing → bank; the clearing account nets to zero and
the bank line is the payout. Exactly once, waiting for its parts; off by default."""

from __future__ import annotations

import datetime
import re
import uuid
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from firmpay.accounting.models import (
    AccountingConnection,
    RemoteRecord,
    SyncAction,
    SyncItem,
    SyncStatus,
)
from firmpay.accounting.services import connection_accounts, sync_items_sweep
from firmpay.accounting.tests import sandbox_flows
from firmpay.accounting.tests.flows import SETUP, drain, start_oauth
from firmpay.clients.services import client_create
from firmpay.invoices.services import invoice_send
from firmpay.invoices.tests.builders import invoice_build, line
from firmpay.payments.facts import PayoutState
from firmpay.payments.hooks import payment_hooks_run
from firmpay.payments.online.checkout import checkout_start
from firmpay.payments.online.models import OnlinePayment
from firmpay.payments.online.refunds import payment_refund_create
from firmpay.payouts.models import Payout
from firmpay.payouts.services import payouts_reconcile
from firmpay.payouts.tests.test_payouts import PAGE, Feed
from firmpay.tenancy.tests.factories import client_for

pytestmark = pytest.mark.django_db
PAYOUTS = reverse("accounting:payouts")


@pytest.fixture
def ledgers(settings, accounting_sandbox):
    sandbox_flows.point_at(settings, accounting_sandbox)
    accounting_sandbox.control("POST", "config", {"rate_limits": False})
    yield accounting_sandbox
    assert accounting_sandbox.violations() == []


@pytest.fixture
def feed(live_firm, stripe_sandbox, django_capture_on_commit_callbacks):
    return Feed(stripe_sandbox, live_firm[1].stripe_account_id, django_capture_on_commit_callbacks)


@pytest.fixture
def live_firm(stripe_settings, stripe_sandbox, make_firm):
    from firmpay.payments.services import payment_account_create, payment_account_refresh

    firm = make_firm()
    account = payment_account_create(firm=firm, actor=firm.owner)
    stripe_sandbox.control(
        "POST", f"accounts/{account.stripe_account_id}/state", {"state": "verified"}
    )
    payment_account_refresh(account=account)
    return firm, account


VENDORS = {
    "xero": {
        "org": "xero_us",
        "bank": "Business Bank Account",
        "clearing": "Stripe Clearing",
        "fees": "Bank Fees",
    },
    "quickbooks": {
        "org": "qbo_us",
        "bank": "Checking",
        "clearing": "Stripe Clearing",
        "fees": "Bank Charges",
    },
}


def connected(firm, ledgers, vendor: str) -> AccountingConnection:
    names = VENDORS[vendor]
    browser = client_for(firm.owner, firm)
    return sandbox_flows.connect(
        browser, ledgers, vendor, getattr(ledgers, names["org"]), payment=names["bank"]
    )


def book_payouts(firm, connection, **override) -> object:
    names = VENDORS[connection.vendor]
    by_name = {a.name: a.id for a in connection_accounts(connection=connection)}
    form = {
        "book_payouts": "on",
        "clearing_account": by_name[override.get("clearing", names["clearing"])],
        "fees_account": by_name[override.get("fees", names["fees"])],
        "payout_account": by_name[override.get("bank", names["bank"])],
    }
    return client_for(firm.owner, firm).post(PAYOUTS, form)


def paid_invoice(stripe_sandbox, firm, amount: int, method="card"):
    client = client_create(
        firm=firm, name=f"Client {uuid.uuid4().hex[:6]}", email=f"{uuid.uuid4().hex[:6]}@c.test"
    )
    invoice = invoice_build(firm=firm, client=client, lines=[line(unit_amount=amount)])
    invoice_send(invoice=invoice)
    payment = checkout_start(invoice=invoice, return_url=PAGE)
    stripe_sandbox.control(
        "POST", f"checkout/sessions/{payment.checkout_session_id}/pay", {"method": method}
    )
    return invoice, payment


def paid_out(stripe_sandbox, feed) -> Payout:
    stripe_sandbox.advance(days=3)  # available after 2 days, swept the next morning
    feed()
    stripe_sandbox.advance(days=2)  # arrives
    feed()
    payout = Payout.objects.get()
    assert payout.status == "paid" and payout.itemized_at
    return payout


def balances(ledgers, connection) -> dict[str, Decimal]:
    if connection.vendor == "xero":
        path = f"xero/organisations/{connection.org_id}/balances"
    else:
        path = f"quickbooks/companies/{connection.org_id}/balances"
    rows = ledgers.control("GET", path)["accounts"]
    return {row["Name"]: Decimal(row["Balance"]) for row in rows}


def transfers(ledgers, connection) -> list[dict]:
    if connection.vendor == "xero":
        books = ledgers.control("GET", f"xero/organisations/{connection.org_id}/ledger")
        return books["bank_transfers"]
    return ledgers.control("GET", f"quickbooks/companies/{connection.org_id}/ledger")["transfers"]


def fee_records(ledgers, connection) -> list[dict]:
    if connection.vendor == "xero":
        books = ledgers.control("GET", f"xero/organisations/{connection.org_id}/ledger")
        return books["bank_transactions"]
    return ledgers.control("GET", f"quickbooks/companies/{connection.org_id}/ledger")["purchases"]


def money(minor: int) -> Decimal:
    return (Decimal(minor) / 100).quantize(Decimal("0.01"))


def fees_of(payout: Payout) -> int:
    items = payout.items.all()
    return sum(i.stripe_fee + i.firmpay_fee for i in items)


@pytest.mark.parametrize("vendor", ["xero", "quickbooks"])
def test_a_paid_payout_empties_the_clearing_account_into_the_bank_exactly_once(
    live_firm, stripe_sandbox, feed, ledgers, vendor
):
    firm, _account = live_firm
    connection = connected(firm, ledgers, vendor)
    assert book_payouts(firm, connection).status_code == 302
    names = VENDORS[vendor]
    paid_invoice(stripe_sandbox, firm, 40000)
    paid_invoice(stripe_sandbox, firm, 12500)
    feed()
    drain()
    payout = paid_out(stripe_sandbox, feed)
    drain()

    books = balances(ledgers, connection)
    assert books[names["clearing"]] == 0
    assert books[names["bank"]] == money(payout.amount)
    assert books[names["fees"]] == money(fees_of(payout)) > 0
    (transfer,) = transfers(ledgers, connection)
    assert Decimal(str(transfer["Amount"])) == money(payout.amount)
    row = SyncItem.objects.get(action=SyncAction.PAYOUT_BOOK)
    assert (row.key, row.status) == (f"payout:{payout.stripe_payout_id}:book", SyncStatus.DONE)
    page = client_for(firm.owner, firm).get(reverse("payouts:detail", args=[payout.pk]))
    assert f"Booked in {connection.get_vendor_display()}" in page.content.decode()

    # The same events again, and a worker that died after the vendor booked but before
    # Firmpay noted it: the retry sends the same idempotency keys, the vendor replays.
    feed.seen.clear()
    feed()
    booked = RemoteRecord.objects.get(local_key=f"payout:{payout.stripe_payout_id}:transfer")
    RemoteRecord.objects.filter(local_key__startswith="payout:").delete()
    SyncItem.objects.filter(pk=row.pk).update(
        status=SyncStatus.RUNNING, claimed_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    sync_items_sweep()
    drain()
    assert SyncItem.objects.get(action=SyncAction.PAYOUT_BOOK).status == SyncStatus.DONE
    again = RemoteRecord.objects.get(local_key=f"payout:{payout.stripe_payout_id}:transfer")
    assert again.remote_id == booked.remote_id  # the vendor's replayed answer
    assert len(transfers(ledgers, connection)) == 1
    assert len(fee_records(ledgers, connection)) == 1
    assert balances(ledgers, connection)[names["clearing"]] == 0


def test_a_refund_and_a_lost_dispute_leave_the_clearing_account_at_zero_in_xero(
    live_firm, stripe_sandbox, feed, ledgers
):
    firm, _account = live_firm
    connection = connected(firm, ledgers, "xero")
    book_payouts(firm, connection)
    _, refunded = paid_invoice(stripe_sandbox, firm, 40000)
    _, disputed = paid_invoice(stripe_sandbox, firm, 12000)
    paid_invoice(stripe_sandbox, firm, 25000)
    feed()
    payment_refund_create(
        payment=OnlinePayment.objects.get(pk=refunded.pk),
        amount=5000,
        reason="requested_by_customer",
        actor=firm.owner,
        request_key="books-refund",
    )
    charge = OnlinePayment.objects.get(pk=disputed.pk).charge_id
    dispute = stripe_sandbox.control("POST", f"charges/{charge}/dispute", {"reason": "fraudulent"})
    stripe_sandbox.control("POST", f"disputes/{dispute['id']}/close", {"status": "lost"})
    feed()
    drain()
    payout = paid_out(stripe_sandbox, feed)
    drain()

    kinds = set(payout.items.values_list("kind", flat=True))
    assert {"payment", "refund", "dispute"} <= kinds
    books = balances(ledgers, connection)
    assert books["Stripe Clearing"] == 0
    assert books["Business Bank Account"] == money(payout.amount)
    assert books["Bank Fees"] == money(fees_of(payout))
    (spend,) = fee_records(ledgers, connection)
    descriptions = " ".join(line["Description"] for line in spend["LineItems"])
    assert "Stripe fees" in descriptions and "Firmpay fees" in descriptions
    assert "Stripe dispute fees" in descriptions
    assert spend["Contact"]["Name"] == "Stripe"


def test_a_payout_waits_until_its_payments_are_booked(live_firm, stripe_sandbox, feed, ledgers):
    firm, _account = live_firm
    connection = connected(firm, ledgers, "xero")
    book_payouts(firm, connection)
    paid_invoice(stripe_sandbox, firm, 30000)
    stripe_sandbox.advance(days=3)
    feed(only="payout.")  # the payment's own events are late
    stripe_sandbox.advance(days=2)
    feed(only="payout.")
    drain()

    row = SyncItem.objects.get(action=SyncAction.PAYOUT_BOOK)
    assert row.status == SyncStatus.PENDING and row.attempts == 0
    assert row.last_error.startswith("Waiting for Firmpay to learn of payment")
    assert transfers(ledgers, connection) == []
    page = client_for(firm.owner, firm).get(
        reverse("payouts:detail", args=[Payout.objects.get().pk])
    )
    assert "Waiting to be booked in Xero: Waiting for Firmpay to learn of payment" in (
        page.content.decode()
    )

    feed()  # the payment arrives: recorded in clearing; the payout links it
    payouts_reconcile()
    SyncItem.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())  # a minute on
    drain()
    row.refresh_from_db()
    assert row.status == SyncStatus.DONE
    payout = Payout.objects.get()
    assert balances(ledgers, connection)["Stripe Clearing"] == 0
    assert Decimal(str(transfers(ledgers, connection)[0]["Amount"])) == money(payout.amount)


def test_a_payout_missing_a_part_for_two_weeks_stops_waiting_and_says_so(
    live_firm, stripe_sandbox, feed, ledgers
):
    firm, _account = live_firm
    connection = connected(firm, ledgers, "quickbooks")
    book_payouts(firm, connection)
    paid_invoice(stripe_sandbox, firm, 30000)
    stripe_sandbox.advance(days=3)
    feed(only="payout.")
    stripe_sandbox.advance(days=2)
    feed(only="payout.")  # the payment's events never come
    Payout.objects.update(arrival_date=timezone.localdate() - datetime.timedelta(days=15))
    SyncItem.objects.update(next_attempt_at=timezone.now())
    drain()

    row = SyncItem.objects.get(action=SyncAction.PAYOUT_BOOK)
    assert row.status == SyncStatus.FAILED
    assert "within 14 days: book this payout by hand" in row.last_error
    assert transfers(ledgers, connection) == []


def test_off_by_default_books_nothing_beyond_the_payments(live_firm, stripe_sandbox, feed, ledgers):
    firm, _account = live_firm
    connection = connected(firm, ledgers, "xero")
    assert connection.book_payouts is False
    paid_invoice(stripe_sandbox, firm, 30000)
    feed()
    drain()
    paid_out(stripe_sandbox, feed)
    drain()

    assert not SyncItem.objects.filter(
        action__in=[SyncAction.PAYOUT_BOOK, SyncAction.PAYOUT_REVERSE]
    ).exists()
    assert transfers(ledgers, connection) == [] and fee_records(ledgers, connection) == []
    books = balances(ledgers, connection)
    assert books["Business Bank Account"] == Decimal("300.00")  # the payment, gross
    assert books["Stripe Clearing"] == 0


def test_a_payout_that_fails_after_it_was_booked_goes_back_to_clearing(
    live_firm, stripe_sandbox, feed, ledgers, django_capture_on_commit_callbacks
):
    firm, account = live_firm
    connection = connected(firm, ledgers, "quickbooks")
    book_payouts(firm, connection)
    paid_invoice(stripe_sandbox, firm, 30000)
    feed()
    drain()
    payout = paid_out(stripe_sandbox, feed)
    drain()
    # The bank returns it days later: Stripe sends payout.failed for a paid payout (the
    # Stripe sandbox only fails payouts before they are paid, so the event is played here).
    returned = PayoutState(
        id=payout.stripe_payout_id,
        amount=payout.amount,
        currency=payout.currency,
        status="failed",
        automatic=True,
        arrival_date=payout.arrival_date,
        created=payout.stripe_created_at,
        failure_code="account_closed",
        failure_message="The bank account has been closed.",
    )
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        payment_hooks_run("payout_changed", account=account, payout=returned, at=timezone.now())
    payment_hooks_run("payout_changed", account=account, payout=returned, at=timezone.now())
    drain()

    payout.refresh_from_db()
    assert payout.status == "failed"
    assert SyncItem.objects.filter(action=SyncAction.PAYOUT_REVERSE).count() == 1
    reverse_row = SyncItem.objects.get(action=SyncAction.PAYOUT_REVERSE)
    assert reverse_row.status == SyncStatus.DONE
    books = balances(ledgers, connection)
    assert books["Checking"] == 0  # in, and back out
    assert books["Stripe Clearing"] == money(payout.amount)  # Stripe holds it again
    assert len(transfers(ledgers, connection)) == 2


def test_a_payout_failed_before_booking_is_not_booked(live_firm, stripe_sandbox, feed, ledgers):
    firm, _account = live_firm
    connection = connected(firm, ledgers, "xero")
    book_payouts(firm, connection)
    paid_invoice(stripe_sandbox, firm, 30000)
    feed()
    drain()
    stripe_sandbox.advance(days=3)
    feed()
    payout = Payout.objects.get()
    stripe_sandbox.control(
        "POST",
        f"payouts/{payout.stripe_payout_id}/outcome",
        {"outcome": "failed", "failure_code": "account_closed"},
    )
    feed()
    drain()

    assert not SyncItem.objects.filter(action=SyncAction.PAYOUT_BOOK).exists()
    assert transfers(ledgers, connection) == []


@pytest.mark.parametrize(
    ("vendor", "override", "message"),
    [
        ("xero", {"clearing": "Prepayments"}, "both need bank accounts (Type BANK)"),
        ("xero", {"fees": "Sales"}, "Choose an expense account for the fees account"),
        ("xero", {"bank": "Stripe Clearing"}, "must differ"),
        ("quickbooks", {"clearing": "Undeposited Funds"}, "need Bank accounts"),
    ],
)
def test_unsuitable_accounts_are_refused_with_a_reason(
    live_firm, ledgers, vendor, override, message
):
    firm, _account = live_firm
    connection = connected(firm, ledgers, vendor)
    response = book_payouts(firm, connection, **override)
    assert response.status_code == 200
    assert message in response.content.decode()
    connection.refresh_from_db()
    assert connection.book_payouts is False


def test_a_xero_firm_connected_before_bank_transactions_reconnects_before_booking(
    live_firm, ledgers, settings
):
    """Xero refuses bank transactions and transfers (401) to a consent without that scope:
    booking is not turned on until the firm reconnects, and reconnecting keeps its setup."""
    firm, _account = live_firm
    asked_now = settings.XERO_SCOPES
    settings.XERO_SCOPES = asked_now.replace("accounting.banktransactions", "").strip()
    connection = connected(firm, ledgers, "xero")

    page = book_payouts(firm, connection).content.decode()
    assert "permission to record bank transactions" in page
    assert 'id="payouts-reconnect"' in page
    connection.refresh_from_db()
    assert connection.book_payouts is False

    settings.XERO_SCOPES = asked_now
    browser = client_for(firm.owner, firm)
    params = start_oauth(browser, "xero")
    answer = ledgers.consent(
        "xero",
        redirect_uri=params["redirect_uri"],
        scope=params["scope"],
        state=params["state"],
        choose=[connection.org_id],
    )
    assert browser.get(reverse("accounting:xero_callback"), answer).status_code == 302
    response = book_payouts(firm, connection)
    assert response.status_code == 302, response.content.decode()[:2000]
    connection.refresh_from_db()
    assert connection.book_payouts is True
    assert connection.payment_account_name  # the accounts chosen before are still there


def test_the_settings_page_offers_payout_booking_off_by_default(live_firm, ledgers):
    firm, _account = live_firm
    connected(firm, ledgers, "xero")
    page = client_for(firm.owner, firm).get(SETUP).content.decode()
    assert "Book Stripe payouts" in page
    assert re.search(r'<input type="checkbox" name="book_payouts" id="book_payouts"\s*>', page)


def test_a_row_waiting_for_another_looks_again_just_after_it_not_minutes_later():
    """QuickBooks' 10 a second puts a row off by a second: a payout (or payment) waiting
    for it follows a second later. A row due long ago (a backlog) or far off makes the
    waiting one neither spin nor stall."""
    from firmpay.accounting.services.sync import FOLLOW_AFTER, wait_behind

    now = timezone.now()
    put_off = SyncItem(next_attempt_at=now + datetime.timedelta(seconds=1))
    assert 1.0 <= wait_behind(put_off, at_most=60) <= 2.0
    overdue = SyncItem(next_attempt_at=now - datetime.timedelta(minutes=5))
    assert wait_behind(overdue, at_most=60) == FOLLOW_AFTER
    far_off = SyncItem(next_attempt_at=now + datetime.timedelta(minutes=10))
    assert wait_behind(far_off, at_most=60) == 60
