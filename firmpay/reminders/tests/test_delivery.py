"""The reminder email, and the outbox: failures are recorded and retried, lost kicks and
dead workers are picked up again, and a row is emailed by one worker only."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends import locmem

from firmpay.reminders.models import ReminderSend, SendStatus
from firmpay.reminders.outbox import (
    MAX_ATTEMPTS,
    reminder_outbox_drain,
    reminder_outbox_give_up_stale,
    reminder_send_claim,
)
from firmpay.reminders.schedule import StepText
from firmpay.reminders.services import reminder_policy_update, reminders_sweep
from firmpay.reminders.tasks import reminder_outbox_sweep_task
from firmpay.reminders.tests.helpers import firm_in, open_invoice
from firmpay.reminders.tokens import unsubscribe_client_id

pytestmark = pytest.mark.django_db

DUE = datetime.date(2026, 5, 20)
SWEEP = datetime.datetime(2026, 5, 20, 9, 5, tzinfo=datetime.UTC)


@pytest.fixture
def invoice():
    firm = firm_in("UTC", name="Ledger & Co")
    return open_invoice(firm=firm, due_date=DUE)


def record_only(django_capture_on_commit_callbacks):
    """A sweep whose kick is lost: rows recorded, nothing delivered."""
    with time_machine.travel(SWEEP, tick=False):
        with django_capture_on_commit_callbacks(execute=False):
            reminders_sweep()


@pytest.fixture
def broken_mail(monkeypatch):
    """The email backend fails, as an unreachable SMTP server would."""

    def refuse(self, messages):
        raise ConnectionRefusedError("SMTP server refused the connection")

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", refuse)
    return monkeypatch


def test_the_email_fills_every_placeholder_and_can_unsubscribe(clock, invoice):
    reminder_policy_update(
        firm=invoice.firm,
        enabled=True,
        send_hour=9,
        repeat_every_days=0,
        max_repeats=0,
        steps=[
            StepText(
                0,
                "{invoice_number}: {amount_due} due {due_date}",
                "Hello {client_name}, pay {amount_due} at {pay_link} {{not a placeholder}}",
            )
        ],
    )
    clock.sweep(SWEEP)
    [message] = mail.outbox
    assert message.subject == f"{invoice.number}: $100.00 due 20 May 2026"
    assert f"Hello {invoice.client.name}, pay $100.00 at http" in message.body
    assert "{not a placeholder}" in message.body
    assert "/i/" in message.body  # the invoice's client link
    assert message.reply_to == [invoice.firm.email]
    unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert unsubscribe in message.body
    token = unsubscribe.rstrip("/").rsplit("/", 1)[1]
    assert unsubscribe_client_id(token) == invoice.client_id
    send = ReminderSend.objects.get()
    assert (send.subject, send.to_email) == (message.subject, invoice.client.email)


def test_a_lost_kick_is_delivered_by_the_outbox_sweeper(
    invoice, django_capture_on_commit_callbacks
):
    record_only(django_capture_on_commit_callbacks)
    assert ReminderSend.objects.get().status == SendStatus.PENDING
    with time_machine.travel(SWEEP + datetime.timedelta(minutes=10), tick=False):
        reminder_outbox_sweep_task.call_local()
    assert ReminderSend.objects.get().status == SendStatus.SENT
    assert len(mail.outbox) == 1


def test_a_failed_email_is_recorded_and_retried_later(
    invoice, django_capture_on_commit_callbacks, broken_mail
):
    record_only(django_capture_on_commit_callbacks)
    with time_machine.travel(SWEEP, tick=False):
        assert reminder_outbox_drain() == {SendStatus.FAILED: 1}
        # Not due again yet: a second drain leaves it alone.
        assert reminder_outbox_drain() == {}
    broken_mail.undo()
    send = ReminderSend.objects.get()
    assert send.status == SendStatus.FAILED
    assert send.attempts == 1
    assert "SMTP server refused" in send.last_error
    assert send.next_attempt_at == SWEEP + datetime.timedelta(minutes=5)
    with time_machine.travel(SWEEP + datetime.timedelta(minutes=6), tick=False):
        assert reminder_outbox_drain() == {SendStatus.SENT: 1}
    send.refresh_from_db()
    assert (send.status, send.attempts, send.last_error) == (SendStatus.SENT, 2, "")
    assert len(mail.outbox) == 1


def test_retries_stop_after_the_last_attempt(
    invoice, django_capture_on_commit_callbacks, broken_mail
):
    record_only(django_capture_on_commit_callbacks)
    moment = SWEEP
    for _ in range(MAX_ATTEMPTS + 2):
        with time_machine.travel(moment, tick=False):
            reminder_outbox_drain()
        moment += datetime.timedelta(days=1)
    send = ReminderSend.objects.get()
    assert (send.status, send.attempts, send.next_attempt_at) == (
        SendStatus.FAILED,
        MAX_ATTEMPTS,
        None,
    )


def test_a_row_claimed_by_a_dead_worker_is_sent_after_it_goes_stale(
    invoice, django_capture_on_commit_callbacks
):
    record_only(django_capture_on_commit_callbacks)
    send = ReminderSend.objects.get()
    with time_machine.travel(SWEEP, tick=False):
        assert reminder_send_claim(send_id=send.pk)  # ... and the worker dies
        assert not reminder_send_claim(send_id=send.pk)  # nobody else takes it meanwhile
        assert reminder_outbox_drain() == {}
    with time_machine.travel(SWEEP + datetime.timedelta(minutes=11), tick=False):
        assert reminder_outbox_drain() == {SendStatus.SENT: 1}
    assert len(mail.outbox) == 1


def test_a_stale_row_out_of_attempts_is_marked_failed(invoice, django_capture_on_commit_callbacks):
    record_only(django_capture_on_commit_callbacks)
    ReminderSend.objects.update(status=SendStatus.SENDING, attempts=MAX_ATTEMPTS, claimed_at=SWEEP)
    with time_machine.travel(SWEEP + datetime.timedelta(hours=1), tick=False):
        assert reminder_outbox_give_up_stale() == 1
    assert ReminderSend.objects.get().status == SendStatus.FAILED
