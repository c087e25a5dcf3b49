""" "Send reminder now": at most one per invoice per 24 hours, refused with a reason."""

import datetime

import pytest
import time_machine
from django.core import mail

from firmpay.clients.services import client_update
from firmpay.invoices.services import invoice_record_manual_payment
from firmpay.invoices.tests.builders import invoice_build
from firmpay.reminders.exceptions import ReminderRefused
from firmpay.reminders.models import ReminderSend, SendKind, SendStatus
from firmpay.reminders.services import invoice_reminders_pause, reminder_send_now
from firmpay.reminders.tests.helpers import firm_in, open_invoice

pytestmark = pytest.mark.django_db

DUE = datetime.date(2026, 5, 20)
NOON = datetime.datetime(2026, 5, 25, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def invoice():
    return open_invoice(firm=firm_in("Europe/London"), due_date=DUE)


def send_now(invoice, moment, capture):
    with time_machine.travel(moment, tick=False), capture(execute=True):
        return reminder_send_now(invoice=invoice)


def test_a_reminder_sent_by_hand_goes_out_at_once(invoice, django_capture_on_commit_callbacks):
    send = send_now(invoice, NOON, django_capture_on_commit_callbacks)
    send.refresh_from_db()
    assert (send.kind, send.step, send.status) == (SendKind.MANUAL, None, SendStatus.SENT)
    [message] = mail.outbox
    # Five days after the due date: the overdue wording.
    assert message.subject == f"Invoice {invoice.number} is overdue"


def test_a_second_manual_reminder_within_24_hours_is_refused(
    invoice, django_capture_on_commit_callbacks
):
    send_now(invoice, NOON, django_capture_on_commit_callbacks)
    with pytest.raises(ReminderRefused, match="already sent by hand at 13:00 on 25 May") as refused:
        send_now(invoice, NOON + datetime.timedelta(hours=23), django_capture_on_commit_callbacks)
    # The firm reads UTC elsewhere ("Sent ... UTC"): a local time says which zone it is in.
    assert f"({invoice.firm.timezone} time)" in str(refused.value)
    send_now(
        invoice, NOON + datetime.timedelta(hours=24, minutes=1), django_capture_on_commit_callbacks
    )
    assert ReminderSend.objects.filter(kind=SendKind.MANUAL).count() == 2
    assert len(mail.outbox) == 2


def test_manual_and_automatic_reminders_do_not_collide(
    invoice, clock, django_capture_on_commit_callbacks
):
    send_now(invoice, NOON, django_capture_on_commit_callbacks)
    # 27 May 09:05 BST: the "7 days overdue" step still goes out.
    clock.sweep(datetime.datetime(2026, 5, 27, 8, 5, tzinfo=datetime.UTC))
    assert sorted(ReminderSend.objects.values_list("kind", flat=True)) == ["auto", "manual"]


def test_a_paused_invoice_can_still_be_reminded_by_hand(
    invoice, django_capture_on_commit_callbacks
):
    invoice_reminders_pause(invoice=invoice)
    send = send_now(invoice, NOON, django_capture_on_commit_callbacks)
    send.refresh_from_db()
    assert send.status == SendStatus.SENT


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("paid", "is paid: nothing to remind"),
        ("opted_out", "has unsubscribed from payment reminders"),
    ],
)
def test_manual_reminders_are_refused_when_nothing_may_be_sent(
    invoice, django_capture_on_commit_callbacks, change, reason
):
    if change == "paid":
        invoice_record_manual_payment(
            invoice=invoice, amount=invoice.amount_due, method="cash", received_on=DUE
        )
    else:
        client_update(client=invoice.client, reminders_opt_out=True)
    with pytest.raises(ReminderRefused, match=reason):
        send_now(invoice, NOON, django_capture_on_commit_callbacks)
    assert ReminderSend.objects.count() == 0


def test_a_draft_cannot_be_reminded(invoice, django_capture_on_commit_callbacks):
    draft = invoice_build(firm=invoice.firm, client=invoice.client)
    with pytest.raises(ReminderRefused, match="is a draft"):
        send_now(draft, NOON, django_capture_on_commit_callbacks)
