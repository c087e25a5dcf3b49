"""Who is reminded: only outstanding invoices with money due, of firms with reminders on,
of clients who did not opt out, and not paused. Everything else, including statuses that
do not exist yet (payment processing, disputed), gets nothing."""

import datetime

import pytest
import time_machine
from django.core import mail

from firmpay.clients.services import client_update
from firmpay.clients.tests.builders import client_build
from firmpay.invoices.models import Invoice
from firmpay.invoices.services import invoice_record_manual_payment, invoice_void
from firmpay.invoices.tests.builders import invoice_build
from firmpay.reminders.eligibility import invoice_has_dispute_flag
from firmpay.reminders.exceptions import ReminderRefused
from firmpay.reminders.models import ReminderSend, SendStatus
from firmpay.reminders.schedule import default_step_text
from firmpay.reminders.services import (
    invoice_reminders_pause,
    invoice_reminders_resume,
    reminder_policy_update,
    reminder_send_now,
)
from firmpay.reminders.tests.helpers import firm_in, open_invoice

pytestmark = pytest.mark.django_db

DUE = datetime.date(2026, 5, 20)
# 09:05 UTC on the due date: the "on the due date" step of a UTC firm is due.
DUE_DAY_SWEEP = datetime.datetime(2026, 5, 20, 9, 5, tzinfo=datetime.UTC)


@pytest.fixture
def firm():
    return firm_in("UTC")


@pytest.fixture
def invoice(firm):
    return open_invoice(firm=firm, due_date=DUE)


def test_an_open_invoice_gets_the_due_date_reminder(clock, invoice):
    clock.sweep(DUE_DAY_SWEEP)
    [send] = ReminderSend.objects.all()
    assert (send.invoice, send.step, send.status) == (invoice, 0, SendStatus.SENT)
    [message] = mail.outbox
    assert message.subject == f"Invoice {invoice.number} is due today"


def test_a_partially_paid_invoice_is_reminded_of_what_is_left(clock, invoice):
    invoice_record_manual_payment(
        invoice=invoice, amount=2500, method="bank_transfer", received_on=DUE
    )
    clock.sweep(DUE_DAY_SWEEP)
    [message] = mail.outbox
    assert "$75.00" in message.body


def test_two_sweeps_in_a_row_send_nothing_new(clock, invoice):
    clock.sweep(DUE_DAY_SWEEP)
    second = clock.sweep(DUE_DAY_SWEEP + datetime.timedelta(minutes=1))
    third = clock.sweep(DUE_DAY_SWEEP + datetime.timedelta(hours=1))
    assert (second.recorded, third.recorded) == (0, 0)
    assert ReminderSend.objects.count() == 1
    assert len(mail.outbox) == 1


def test_before_the_send_hour_nothing_goes_out(clock, invoice):
    clock.sweep(datetime.datetime(2026, 5, 20, 8, 5, tzinfo=datetime.UTC))
    assert ReminderSend.objects.count() == 0


def test_a_missed_sweep_is_caught_up_later_the_same_day(clock, invoice):
    clock.sweep(datetime.datetime(2026, 5, 20, 17, 5, tzinfo=datetime.UTC))
    assert ReminderSend.objects.get().step == 0


def test_a_long_past_step_is_not_sent_late(clock, invoice):
    # Two days after the due date: the due-date step's day is over; nothing piles up.
    clock.sweep(datetime.datetime(2026, 5, 22, 10, 5, tzinfo=datetime.UTC))
    assert ReminderSend.objects.count() == 0


def test_a_paid_invoice_gets_nothing(clock, invoice):
    invoice_record_manual_payment(
        invoice=invoice, amount=invoice.amount_due, method="cash", received_on=DUE
    )
    clock.sweep(DUE_DAY_SWEEP)
    assert ReminderSend.objects.count() == 0
    assert mail.outbox == []


def test_a_void_invoice_gets_nothing(clock, invoice):
    invoice_void(invoice=invoice)
    clock.sweep(DUE_DAY_SWEEP)
    assert ReminderSend.objects.count() == 0


def test_a_draft_invoice_gets_nothing(clock, firm):
    invoice_build(firm=firm, client=client_build(firm=firm), due_date=DUE)
    clock.sweep(DUE_DAY_SWEEP)
    assert ReminderSend.objects.count() == 0


@pytest.mark.parametrize("status", ["void", "payment_processing", "disputed", "refunded"])
def test_any_status_outside_the_outstanding_ones_gets_nothing(clock, invoice, status):
    # Set directly, as the payments work will: the sweep allows, it does not deny.
    Invoice.objects.filter(pk=invoice.pk).update(status=status)
    clock.sweep(DUE_DAY_SWEEP)
    assert ReminderSend.objects.count() == 0
    assert mail.outbox == []


def test_a_client_who_opted_out_gets_nothing(clock, invoice):
    client_update(client=invoice.client, reminders_opt_out=True)
    clock.sweep(DUE_DAY_SWEEP)
    assert ReminderSend.objects.count() == 0


def test_a_paused_invoice_gets_nothing_until_resumed(clock, invoice):
    invoice_reminders_pause(invoice=invoice)
    clock.sweep(DUE_DAY_SWEEP)
    assert ReminderSend.objects.count() == 0
    invoice_reminders_resume(invoice=invoice)
    clock.sweep(DUE_DAY_SWEEP + datetime.timedelta(hours=1))
    assert ReminderSend.objects.get().step == 0


def test_a_firm_with_reminders_off_sends_nothing(clock, firm, invoice):
    reminder_policy_update(
        firm=firm,
        enabled=False,
        send_hour=9,
        repeat_every_days=14,
        max_repeats=4,
        steps=[default_step_text(0)],
    )
    clock.sweep(DUE_DAY_SWEEP)
    assert ReminderSend.objects.count() == 0


def test_another_firms_invoices_follow_their_own_policy(clock, firm, invoice):
    other = firm_in("UTC")
    other_invoice = open_invoice(firm=other, due_date=DUE)
    reminder_policy_update(
        firm=firm,
        enabled=False,
        send_hour=9,
        repeat_every_days=0,
        max_repeats=0,
        steps=[default_step_text(0)],
    )
    clock.sweep(DUE_DAY_SWEEP)
    assert list(ReminderSend.objects.values_list("invoice_id", flat=True)) == [other_invoice.pk]


def test_an_invoice_paid_between_the_sweep_and_the_email_is_not_reminded(
    clock, invoice, django_capture_on_commit_callbacks
):
    # Record without delivering (the kick is lost), then the client pays.
    with time_machine.travel(DUE_DAY_SWEEP, tick=False):
        with django_capture_on_commit_callbacks(execute=False):
            from firmpay.reminders.services import reminders_sweep

            reminders_sweep()
        invoice_record_manual_payment(
            invoice=invoice, amount=invoice.amount_due, method="cash", received_on=DUE
        )
        from firmpay.reminders.outbox import reminder_outbox_drain

        reminder_outbox_drain()
    send = ReminderSend.objects.get()
    assert send.status == SendStatus.SKIPPED
    assert send.last_error == "The invoice is paid."
    assert mail.outbox == []


def test_an_invoice_emailed_less_than_a_day_before_a_step_is_not_reminded(clock, firm):
    # Sent at 08:00 on its due date: no "due today" reminder an hour later.
    client = client_build(firm=firm)
    with time_machine.travel(datetime.datetime(2026, 5, 20, 8, 0, tzinfo=datetime.UTC)):
        from firmpay.invoices.services import invoice_send

        invoice = invoice_build(firm=firm, client=client, issue_date=DUE, due_date=DUE)
        invoice_send(invoice=invoice)
    clock.sweep(DUE_DAY_SWEEP)
    send = ReminderSend.objects.get()
    assert send.status == SendStatus.SKIPPED
    assert "less than a day" in send.last_error
    assert mail.outbox == []


def test_repeats_follow_the_last_step_up_to_the_maximum(clock, firm):
    reminder_policy_update(
        firm=firm,
        enabled=True,
        send_hour=9,
        repeat_every_days=14,
        max_repeats=2,
        steps=[default_step_text(7)],
    )
    invoice = open_invoice(firm=firm, due_date=DUE)
    recorded = clock.sweep_hourly(
        datetime.datetime(2026, 5, 20, 0, tzinfo=datetime.UTC),
        datetime.datetime(2026, 7, 20, 0, tzinfo=datetime.UTC),
    )
    steps = [row.step for _, rows in recorded for row in rows]
    assert steps == [7, 21, 35]
    assert ReminderSend.objects.filter(invoice=invoice, status=SendStatus.SENT).count() == 3
    assert all(m.subject == f"Invoice {invoice.number} is overdue" for m in mail.outbox)


@pytest.mark.skipif(
    not invoice_has_dispute_flag(), reason="Invoice.disputed arrives with online payments"
)
def test_a_disputed_invoice_gets_nothing(clock, invoice, django_capture_on_commit_callbacks):
    Invoice.objects.filter(pk=invoice.pk).update(disputed=True)
    clock.sweep(DUE_DAY_SWEEP)
    assert ReminderSend.objects.count() == 0
    invoice.refresh_from_db()
    with pytest.raises(ReminderRefused, match="disputed"):
        reminder_send_now(invoice=invoice)


def test_the_hourly_task_sweeps_and_delivers(invoice, django_capture_on_commit_callbacks):
    from firmpay.reminders.tasks import reminders_sweep_task

    with time_machine.travel(DUE_DAY_SWEEP, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert reminders_sweep_task.call_local() == 1
    assert ReminderSend.objects.get().status == SendStatus.SENT
    assert len(mail.outbox) == 1
