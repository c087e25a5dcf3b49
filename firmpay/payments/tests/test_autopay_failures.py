"""When an automatic charge fails: both sides told, retries on the firm's schedule (none
after a hard decline or a revoked mandate), authentication sends the client to pay, and
reminders resume when nothing more will be tried. Payment-method health: a revoked
mandate, a detached method, an expiring card."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from firmpay.payments.autopay.charges import autopay_sweep
from firmpay.payments.autopay.health import autopay_expiring_cards_sweep
from firmpay.payments.autopay.models import AutopayAuthorisation, AutopaySettings, InvoiceAutopay
from firmpay.payments.autopay.selectors import autopay_attention_list, invoice_collection_date
from firmpay.payments.tests.autopay_helpers import (
    authorised,
    feed_events,
    intents,
    live_account,
    new_client,
    sent_to,
)

pytestmark = pytest.mark.usefixtures("stripe_settings")
DAY = datetime.timedelta(days=1)


def sweep(days: float = 0):
    return autopay_sweep(now=timezone.now() + days * DAY)


def row(invoice) -> InvoiceAutopay:
    return InvoiceAutopay.objects.get(invoice=invoice)


@pytest.fixture
def declining(stripe_sandbox, firm):
    account = live_account(stripe_sandbox, firm)
    client = new_client(firm)
    authorisation = authorised(stripe_sandbox, client, outcome="decline")
    return account, client, authorisation


def test_declined_card_tells_client_and_firm_and_retries_after_three_days(
    declining, django_capture_on_commit_callbacks
):
    _, client, _ = declining
    invoice = sent_to(client)
    with django_capture_on_commit_callbacks(execute=True):
        sweep()
    retry = row(invoice)
    assert retry.status == "retrying"
    assert retry.next_attempt_at.date() == (timezone.now() + 3 * DAY).date()
    subjects = {m.subject for m in mail.outbox}
    assert f"Your automatic payment for invoice {invoice.number} did not go through" in subjects
    assert any(s.startswith("Automatic payment failed") for s in subjects)
    client_mail = next(
        m for m in mail.outbox if m.to == [client.email] and "automatic" in m.subject
    )
    assert "We will try again on" in client_mail.body and "/i/" in client_mail.body
    # Stripe's words, not the decline code; and the link to change the method.
    assert "did not go through (Your card was declined.)" in client_mail.body
    assert "/autopay/" in client_mail.body


def test_updated_card_lets_the_retry_succeed(declining, stripe_sandbox):
    _, client, authorisation = declining
    invoice = sent_to(client)
    sweep()
    stripe_sandbox.control(
        "POST", f"payment_methods/{authorisation.payment_method_id}/card", {"charge": "succeed"}
    )
    assert sweep(days=3.1).charged == 1
    invoice.refresh_from_db()
    assert invoice.status == "paid"


def test_retries_follow_the_firms_schedule_then_reminders_resume(declining, firm, stripe_sandbox):
    account, client, _ = declining
    AutopaySettings.objects.create(firm=firm, retry_days=[2])
    invoice = sent_to(client)
    sweep()
    assert invoice_collection_date(invoice=invoice) is not None  # a retry is still coming
    assert sweep(days=1).picked == 0
    sweep(days=2.1)
    assert row(invoice).status == "exhausted"
    assert invoice_collection_date(invoice=invoice) is None  # reminders ask to pay again
    assert len(intents(stripe_sandbox, account.stripe_account_id)) == 2


def test_hard_decline_is_never_retried(stripe_sandbox, firm):
    live_account(stripe_sandbox, firm)
    client = new_client(firm)
    authorisation = authorised(stripe_sandbox, client, outcome="expired_card")
    invoice = sent_to(client)
    sweep()
    assert row(invoice).status == "exhausted"
    authorisation.refresh_from_db()
    assert authorisation.status == "needs_attention"


def test_authentication_required_sends_the_client_to_confirm(
    stripe_sandbox, firm, django_capture_on_commit_callbacks
):
    live_account(stripe_sandbox, firm)
    client = new_client(firm)
    authorised(stripe_sandbox, client, outcome="authentication_required")
    invoice = sent_to(client)
    with django_capture_on_commit_callbacks(execute=True):
        sweep()
    assert row(invoice).status == "action_required"
    confirm = next(m for m in mail.outbox if m.subject.startswith("Please confirm"))
    assert confirm.to == [client.email] and "/i/" in confirm.body
    assert invoice_collection_date(invoice=invoice) is None


def test_failed_bacs_debit_goes_back_to_retrying(stripe_sandbox, make_firm):
    firm = make_firm(country="GB")
    account = live_account(stripe_sandbox, firm)
    client = new_client(firm, currency="GBP")
    authorised(stripe_sandbox, client, method="bacs_debit", outcome="fail_later")
    invoice = sent_to(client)
    sweep()
    stripe_sandbox.advance(days=3)
    feed_events(stripe_sandbox, account.stripe_account_id, set())
    invoice.refresh_from_db()
    assert invoice.status == "open" and row(invoice).status == "retrying"


def test_failed_debit_tells_each_side_once_with_the_autopay_email(
    stripe_sandbox, make_firm, django_capture_on_commit_callbacks
):
    firm = make_firm(country="GB")
    account = live_account(stripe_sandbox, firm)
    client = new_client(firm, currency="GBP")
    authorised(stripe_sandbox, client, method="bacs_debit", outcome="fail_later")
    invoice = sent_to(client)
    with django_capture_on_commit_callbacks(execute=True):
        sweep()
        stripe_sandbox.advance(days=3)
        feed_events(stripe_sandbox, account.stripe_account_id, set())
    to_client = [m.subject for m in mail.outbox if m.to == [client.email]]
    failed = [s for s in to_client if "did not go through" in s]
    assert failed == [f"Your automatic payment for invoice {invoice.number} did not go through"]
    to_firm = [m.subject for m in mail.outbox if m.to != [client.email]]
    assert [s for s in to_firm if "failed" in s.lower()] == [
        f"Automatic payment failed: £100.00 for invoice {invoice.number} ({client.name})"
    ]


def test_revoked_mandate_pauses_autopay_and_resumes_reminders(
    stripe_sandbox, firm, django_capture_on_commit_callbacks
):
    account = live_account(stripe_sandbox, firm)
    client = new_client(firm)
    authorisation = authorised(stripe_sandbox, client, method="us_bank_account")
    invoice = sent_to(client)
    InvoiceAutopay.objects.filter(invoice=invoice).update(next_attempt_at=timezone.now() + 5 * DAY)
    assert invoice_collection_date(invoice=invoice) is not None
    stripe_sandbox.control("POST", f"mandates/{authorisation.mandate_id}/revoke", {})
    with django_capture_on_commit_callbacks(execute=True):
        feed_events(stripe_sandbox, account.stripe_account_id, set())
    authorisation.refresh_from_db()
    assert authorisation.status == "needs_attention"
    assert row(invoice).status == "paused"
    assert invoice_collection_date(invoice=invoice) is None
    assert sweep(days=6).picked == 0
    assert [a.client for a in autopay_attention_list(firm=firm)] == [client]
    assert any(m.subject == f"Autopay needs attention: {client.name}" for m in mail.outbox)


def test_a_new_authorisation_resumes_paused_charges(stripe_sandbox, firm):
    account = live_account(stripe_sandbox, firm)
    client = new_client(firm)
    old = authorised(stripe_sandbox, client, method="us_bank_account")
    invoice = sent_to(client)
    stripe_sandbox.control("POST", f"mandates/{old.mandate_id}/revoke", {})
    feed_events(stripe_sandbox, account.stripe_account_id, set())
    authorised(stripe_sandbox, client)
    assert row(invoice).status == "scheduled"
    assert sweep().charged == 1


def test_method_detached_in_stripe_pauses_autopay(stripe_sandbox, firm):
    account = live_account(stripe_sandbox, firm)
    client = new_client(firm)
    authorisation = authorised(stripe_sandbox, client)
    stripe_sandbox.client().v1.payment_methods.detach(
        authorisation.payment_method_id, options={"stripe_account": account.stripe_account_id}
    )
    feed_events(stripe_sandbox, account.stripe_account_id, set())
    authorisation.refresh_from_db()
    assert authorisation.status == "needs_attention"


def test_card_expiring_within_a_month_asks_the_client_once(
    stripe_sandbox, firm, django_capture_on_commit_callbacks
):
    account = live_account(stripe_sandbox, firm)
    authorisation = authorised(stripe_sandbox, new_client(firm))
    today = timezone.localdate()
    stripe_sandbox.control(
        "POST",
        f"payment_methods/{authorisation.payment_method_id}/card",
        {"exp_month": today.month, "exp_year": today.year},
    )
    feed_events(stripe_sandbox, account.stripe_account_id, set())
    with django_capture_on_commit_callbacks(execute=True):
        assert autopay_expiring_cards_sweep() == 1
        assert autopay_expiring_cards_sweep() == 0
    assert sum(m.subject.startswith("Your card for payments") for m in mail.outbox) == 1


def test_card_updated_by_the_network_is_not_flagged(stripe_sandbox, firm):
    account = live_account(stripe_sandbox, firm)
    authorisation = authorised(stripe_sandbox, new_client(firm))
    today = timezone.localdate()
    stripe_sandbox.control(
        "POST",
        f"payment_methods/{authorisation.payment_method_id}/card",
        {"exp_month": today.month, "exp_year": today.year + 3, "automatic": True},
    )
    feed_events(stripe_sandbox, account.stripe_account_id, set())
    assert autopay_expiring_cards_sweep() == 0
    assert AutopayAuthorisation.objects.get(pk=authorisation.pk).exp_year == today.year + 3


@pytest.mark.parametrize(("zone", "told"), [("Pacific/Auckland", 1), ("UTC", 0)])
def test_card_expiring_within_a_month_is_judged_on_the_firms_date(stripe_sandbox, firm, zone, told):
    """31 Dec 2026 12:00 UTC is already 1 Jan 2027 in Auckland: a card valid to the end of
    January 2027 then expires within a month there, not yet in London."""
    firm.timezone = zone
    firm.save(update_fields=["timezone"])
    account = live_account(stripe_sandbox, firm)
    authorisation = authorised(stripe_sandbox, new_client(firm))
    stripe_sandbox.control(
        "POST",
        f"payment_methods/{authorisation.payment_method_id}/card",
        {"exp_month": 1, "exp_year": 2027},
    )
    feed_events(stripe_sandbox, account.stripe_account_id, set())
    now = datetime.datetime(2026, 12, 31, 12, tzinfo=datetime.UTC)
    assert autopay_expiring_cards_sweep(now=now) == told
