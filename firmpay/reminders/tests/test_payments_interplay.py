"""Reminders stop the moment money moves online, and resume when it does not arrive.

The client pays by bank debit through the real payments path: Firmpay starts the checkout
(`checkout_start`, the session created for real on the firm's connected account in the
Stripe sandbox: real SDK over HTTP, nothing patched), then Stripe's events are fed
through the processing service (`checkout.session.completed` unpaid and
`payment_intent.processing` put the invoice in payment processing; `async_payment_failed`
and `payment_intent.payment_failed` reopen it). The clock is controlled throughout."""

import datetime

import pytest
import time_machine
from django.core import mail

from firmpay.invoices.models import InvoiceStatus
from firmpay.payments.online.checkout import checkout_start
from firmpay.payments.services import payment_account_create, payment_account_refresh
from firmpay.payments.stripe import checkout as stripe_checkout
from firmpay.payments.tests.online import Stripe, deliver
from firmpay.reminders.models import ReminderSend, SendStatus
from firmpay.reminders.services import reminders_sweep
from firmpay.reminders.tests.helpers import firm_in, open_invoice

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
DUE = datetime.date(2026, 5, 20)
# 09:05 UTC on the due date: the "on the due date" step of a UTC firm is due.
DUE_DAY_SWEEP = datetime.datetime(2026, 5, 20, 9, 5, tzinfo=UTC)
MINUTE = datetime.timedelta(minutes=1)
INSUFFICIENT_FUNDS = {
    "message": "The account has insufficient funds.",
    "payment_method": {"type": "us_bank_account"},
}


@pytest.fixture
def stripe_settings(settings, stripe_sandbox, tmp_path):
    """The app's one StripeClient pointed at the in-process sandbox."""
    settings.STRIPE_API_BASE = stripe_sandbox.base_url
    settings.STRIPE_SECRET_KEY = stripe_sandbox.secret_key
    settings.STRIPE_CONNECT_CLIENT_ID = stripe_sandbox.client_id
    settings.STRIPE_WEBHOOK_SECRET = ["whsec_test_reminders_000000000000000"]
    settings.STRIPE_WEBHOOK_SECRET_FILE = str(tmp_path / "stripe_webhook_secret")
    settings.STRIPE_SANDBOX_MODE = True
    return settings


@pytest.fixture
def invoice(stripe_settings, stripe_sandbox):
    """A UTC firm whose connected account (created in the sandbox, made Active there, ACH
    active) takes payments, and an invoice of theirs due on DUE."""
    firm = firm_in("UTC", plan="standard")
    account = payment_account_create(firm=firm, actor=None)
    stripe_sandbox.control(
        "POST", f"accounts/{account.stripe_account_id}/state", {"state": "verified"}
    )
    account = payment_account_refresh(account=account)
    assert account.charges_enabled and account.snapshot["capabilities"]["ach"] == "active"
    return open_invoice(firm=firm, due_date=DUE)


def debit_start(invoice, at: datetime.datetime) -> Stripe:
    """The client pays the whole invoice by ACH debit at `at`: checkout, then the debit is
    initiated (it settles, or fails, days later)."""
    with time_machine.travel(at, tick=False):
        payment = checkout_start(invoice=invoice, return_url="http://testserver/i/x/")
        session = stripe_checkout.checkout_session_retrieve(
            account_id=payment.stripe_account_id, session_id=payment.checkout_session_id
        )
        assert (session.status, session.amount_total) == ("open", invoice.amount_due)
        debit = Stripe(payment, method="us_bank_account")
        deliver(debit.session("checkout.session.completed", "unpaid"))
        deliver(debit.intent("payment_intent.processing"))
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAYMENT_PROCESSING
    return debit


def debit_fail(invoice, debit: Stripe, at: datetime.datetime) -> None:
    with time_machine.travel(at, tick=False):
        deliver(debit.session("checkout.session.async_payment_failed", "unpaid"))
        deliver(debit.intent("payment_intent.payment_failed", error=INSUFFICIENT_FUNDS))
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.OPEN
    assert invoice.amount_due == 10000


def reminders_emailed() -> list:
    """Reminder emails only (payments send their own notices to the same client)."""
    return [message for message in mail.outbox if "List-Unsubscribe" in message.extra_headers]


def test_an_invoice_in_payment_processing_a_minute_before_the_sweep_gets_nothing(clock, invoice):
    debit_start(invoice, DUE_DAY_SWEEP - MINUTE)

    result = clock.sweep(DUE_DAY_SWEEP)
    # Nor later that day, while the debit is on its way.
    later = clock.sweep_hourly(
        DUE_DAY_SWEEP + datetime.timedelta(hours=1), DUE_DAY_SWEEP + datetime.timedelta(hours=23)
    )

    assert result.recorded == 0
    assert later == []
    assert ReminderSend.objects.count() == 0
    assert reminders_emailed() == []


def test_a_debit_started_after_the_sweep_recorded_the_reminder_stops_its_email(
    invoice, django_capture_on_commit_callbacks
):
    # The sweep records the reminder; its delivery kick runs only after the debit started.
    with time_machine.travel(DUE_DAY_SWEEP, tick=False):
        with django_capture_on_commit_callbacks(execute=False) as kicks:
            assert reminders_sweep().recorded == 1
    assert ReminderSend.objects.get().status == SendStatus.PENDING

    debit_start(invoice, DUE_DAY_SWEEP + MINUTE)
    with time_machine.travel(DUE_DAY_SWEEP + 2 * MINUTE, tick=False):
        for kick in kicks:
            kick()

    send = ReminderSend.objects.get()
    assert send.status == SendStatus.SKIPPED
    assert send.last_error == "The invoice is payment processing."
    assert reminders_emailed() == []


def test_a_failed_debit_makes_reminders_resume_at_the_next_hourly_sweep(clock, invoice):
    debit = debit_start(invoice, DUE_DAY_SWEEP - MINUTE)
    assert clock.sweep(DUE_DAY_SWEEP).recorded == 0

    failed_at = datetime.datetime(2026, 5, 20, 14, 30, tzinfo=UTC)
    debit_fail(invoice, debit, failed_at)
    recorded = clock.sweep_hourly(
        datetime.datetime(2026, 5, 20, 15, 0, tzinfo=UTC),
        datetime.datetime(2026, 5, 21, 8, 59, tzinfo=UTC),
    )

    # The due-date step, still due today, goes out at the first sweep after the failure.
    [(moment, [send])] = recorded
    assert moment == datetime.datetime(2026, 5, 20, 15, 5, tzinfo=UTC)
    assert (send.invoice_id, send.step, send.status) == (invoice.pk, 0, SendStatus.SENT)
    [message] = reminders_emailed()
    assert message.subject == f"Invoice {invoice.number} is due today"
    assert message.to == [invoice.client.email]


def test_a_debit_failing_days_later_resumes_reminders_at_the_next_steps_hour(clock, invoice):
    # The debit starts a minute before the "3 days before" reminder and is on its way for
    # five days, over the due date; it fails two days after the due date.
    debit = debit_start(invoice, datetime.datetime(2026, 5, 17, 9, 4, tzinfo=UTC))
    failed_at = datetime.datetime(2026, 5, 22, 11, 0, tzinfo=UTC)
    while_processing = clock.sweep_hourly(
        datetime.datetime(2026, 5, 17, 9, 5, tzinfo=UTC), failed_at
    )
    assert while_processing == []
    assert reminders_emailed() == []

    debit_fail(invoice, debit, failed_at)
    recorded = clock.sweep_hourly(failed_at, datetime.datetime(2026, 5, 28, 0, 0, tzinfo=UTC))

    # The steps missed while processing are not sent late; the next step is, at its hour.
    [(moment, [send])] = recorded
    assert moment == datetime.datetime(2026, 5, 27, 9, 5, tzinfo=UTC)
    assert (send.step, send.status) == (7, SendStatus.SENT)
    [message] = reminders_emailed()
    assert message.subject == f"Invoice {invoice.number} is overdue"
