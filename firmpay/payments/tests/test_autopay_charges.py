"""Charge automatically, exactly once: one off-session PaymentIntent per attempt with our
fee and a key from our attempt row; duplicate sweeps, a worker that dies between the Stripe
call and our commit; debits through processing → paid; the Pay button waits."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from firmpay.payments.autopay import charges
from firmpay.payments.autopay.charges import autopay_sweep
from firmpay.payments.autopay.models import AutopayAttempt, InvoiceAutopay
from firmpay.payments.autopay.selectors import invoice_collection_date
from firmpay.payments.online.checkout import checkout_start
from firmpay.payments.online.exceptions import PaymentInProgress
from firmpay.payments.tests.autopay_helpers import (
    authorised,
    feed_events,
    intents,
    live_account,
    new_client,
    sent_to,
)

pytestmark = pytest.mark.usefixtures("stripe_settings")
LATER = datetime.timedelta(minutes=10)


@pytest.fixture
def card_client(stripe_sandbox, firm):
    account = live_account(stripe_sandbox, firm)
    client = new_client(firm)
    authorised(stripe_sandbox, client)
    return account, client


def test_sweep_charges_an_issued_invoice_with_the_application_fee(card_client, stripe_sandbox):
    account, client = card_client
    invoice = sent_to(client)
    result = autopay_sweep()
    invoice.refresh_from_db()
    assert result.charged == 1 and invoice.status == "paid"
    (intent,) = intents(stripe_sandbox, account.stripe_account_id)
    assert intent.application_fee_amount == 75 and intent.status == "succeeded"
    assert intent.metadata["firmpay_invoice_id"] == str(invoice.pk)


def test_duplicate_sweeps_charge_once(card_client, stripe_sandbox):
    account, client = card_client
    invoices = [sent_to(client) for _ in range(3)]
    for _ in range(3):
        autopay_sweep()
        autopay_sweep(now=timezone.now() + LATER)
    assert len(intents(stripe_sandbox, account.stripe_account_id)) == 3
    assert {a.invoice_autopay.invoice_id for a in AutopayAttempt.objects.all()} == {
        i.pk for i in invoices
    }


def test_worker_killed_after_the_stripe_call_is_redriven_to_the_same_payment_intent(
    card_client, stripe_sandbox, monkeypatch
):
    account, client = card_client
    invoice = sent_to(client)

    def killed():
        raise SystemExit("worker killed between the Stripe call and our commit")

    monkeypatch.setattr(charges, "stripe_answered", killed)
    with pytest.raises(SystemExit):
        autopay_sweep()
    monkeypatch.undo()
    (first,) = intents(stripe_sandbox, account.stripe_account_id)
    assert autopay_sweep().picked == 0  # the attempt is not stale yet: no second call
    autopay_sweep(now=timezone.now() + LATER)
    attempt = AutopayAttempt.objects.get()
    invoice.refresh_from_db()
    assert [i.id for i in intents(stripe_sandbox, account.stripe_account_id)] == [first.id]
    assert attempt.payment_intent_id == first.id and attempt.calls == 2
    assert invoice.status == "paid"


def test_reminders_say_when_the_charge_happens(card_client):
    _, client = card_client
    invoice = sent_to(client)
    InvoiceAutopay.objects.filter(invoice=invoice).update(
        collect_on="due",
        next_attempt_at=timezone.now() + datetime.timedelta(days=5),
    )
    from firmpay.reminders.emails import reminder_render
    from firmpay.reminders.schedule import StepText

    subject, body = reminder_render(
        invoice=invoice,
        text=StepText(offset_days=3, subject="Pay {invoice_number}", body="Please pay {pay_link}"),
    )
    when = invoice_collection_date(invoice=invoice)
    assert "will be collected automatically" in subject
    assert f"collected automatically on {when.day} {when:%B %Y}" in body
    assert "Please pay" not in body


def test_pay_button_refused_while_a_charge_is_in_flight(card_client):
    _, client = card_client
    invoice = sent_to(client)
    InvoiceAutopay.objects.filter(invoice=invoice).update(status="charging")
    with pytest.raises(PaymentInProgress):
        checkout_start(invoice=invoice, return_url="http://testserver/i/x/")


def test_sweep_waits_while_the_client_has_a_checkout_page_open(card_client, stripe_sandbox):
    account, client = card_client
    invoice = sent_to(client)
    payment = checkout_start(invoice=invoice, return_url="http://testserver/i/x/")
    assert autopay_sweep().skipped == 1
    assert intents(stripe_sandbox, account.stripe_account_id) == []
    row = InvoiceAutopay.objects.get(invoice=invoice)
    assert row.next_attempt_at == payment.session_expires_at


def test_one_attempt_in_flight_per_invoice_is_a_database_rule(card_client):
    _, client = card_client
    sent_to(client)
    autopay_sweep()
    attempt = AutopayAttempt.objects.get()
    from django.db import IntegrityError, transaction

    AutopayAttempt.objects.filter(pk=attempt.pk).update(status="started")
    with pytest.raises(IntegrityError), transaction.atomic():
        AutopayAttempt.objects.create(
            firm=attempt.firm,
            invoice_autopay=attempt.invoice_autopay,
            number=2,
            authorisation=attempt.authorisation,
            payment=attempt.payment,
        )


def test_bacs_debit_processes_then_pays_through_the_events(stripe_sandbox, make_firm):
    firm = make_firm(country="GB")
    account = live_account(stripe_sandbox, firm)
    client = new_client(firm, currency="GBP")
    authorised(stripe_sandbox, client, method="bacs_debit")
    invoice = sent_to(client)
    assert autopay_sweep().processing == 1
    invoice.refresh_from_db()
    assert invoice.status == "payment_processing"
    stripe_sandbox.advance(days=3)
    feed_events(stripe_sandbox, account.stripe_account_id, set())
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    assert InvoiceAutopay.objects.get(invoice=invoice).status == "collected"


def test_another_firms_invoices_are_not_charged(card_client, stripe_sandbox, make_firm):
    other = make_firm()
    live_account(stripe_sandbox, other)
    other_invoice = sent_to(new_client(other))
    autopay_sweep()
    assert not InvoiceAutopay.objects.filter(invoice=other_invoice).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    "postgresql" not in __import__("django.conf").conf.settings.DATABASES["default"]["ENGINE"],
    reason="two workers at once: PostgreSQL row locks",
)
def test_two_workers_sweeping_at_once_charge_each_invoice_once(stripe_sandbox, make_firm):
    import threading

    from django.db import connection

    firm = make_firm()
    account = live_account(stripe_sandbox, firm)
    client = new_client(firm)
    authorised(stripe_sandbox, client)
    invoices = [sent_to(client) for _ in range(5)]
    barrier = threading.Barrier(2)

    def worker():
        try:
            barrier.wait()
            autopay_sweep()
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(intents(stripe_sandbox, account.stripe_account_id)) == len(invoices)
    assert AutopayAttempt.objects.count() == len(invoices)
    assert all(i.status == "succeeded" for i in intents(stripe_sandbox, account.stripe_account_id))


def test_recording_a_charged_batch_stays_within_its_query_budget(
    card_client, stripe_sandbox, django_assert_max_num_queries
):
    """Recording Stripe's answers writes what the ordinary payment path writes (invoice
    paid, receipt and firm notices, the books) in a few statements for the whole batch
    (30 per charge before, 43 before that)."""
    from firmpay.payments.autopay import batch

    _, client = card_client
    invoices = [sent_to(client) for _ in range(3)]
    claim = batch.autopay_claim(now=timezone.now())
    with django_assert_max_num_queries(20):  # the Stripe calls are HTTP only
        assert batch.autopay_charge_claimed(claim.claimed) == ["succeeded"] * len(invoices)
    for invoice in invoices:
        invoice.refresh_from_db()
        assert invoice.status == "paid"
    assert {n.kind for n in invoices[0].online_payments.get().notices.all()} == {
        "receipt",
        "firm_paid",
    }
