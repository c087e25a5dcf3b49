"""Delivering recorded reminders. Each ReminderSend row is claimed by one conditional UPDATE
(so two workers never email the same row), checked again (the invoice may have been paid
since the sweep), rendered, emailed, and marked sent, skipped or failed.

The queue only kicks: a row whose kick was lost stays `pending`, one whose worker died
stays `sending`, and the outbox sweeper picks both up again. A worker that dies after the
email went out but before the row was marked sent can cause one duplicate email when the
row is retried; reminders prefer that to silently losing a reminder.
"""

import datetime
import logging

from django.db.models import F, Q
from django.utils import timezone

from firmpay.invoices.dates import firm_today
from firmpay.reminders.eligibility import invoice_refusal
from firmpay.reminders.emails import reminder_message, reminder_render
from firmpay.reminders.models import (
    InvoiceReminderState,
    ReminderPolicy,
    ReminderSend,
    SendKind,
    SendStatus,
)
from firmpay.reminders.selectors import FRESH_INVOICE, reminder_step_texts, step_text_for

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
RETRY_BASE = datetime.timedelta(minutes=5)
# A row claimed longer ago than this belongs to a worker that died.
STALE_CLAIM = datetime.timedelta(minutes=10)
DRAIN_BATCH = 200


def _deliverable(now: datetime.datetime) -> Q:
    return (
        Q(status=SendStatus.PENDING)
        | Q(status=SendStatus.FAILED, next_attempt_at__lte=now)
        | Q(status=SendStatus.SENDING, claimed_at__lt=now - STALE_CLAIM)
    )


def reminder_send_claim(*, send_id: int, now: datetime.datetime | None = None) -> bool:
    """Take the row for delivery; False when another worker has it or it is done."""
    now = now or timezone.now()
    claimed = (
        ReminderSend.objects.filter(_deliverable(now), pk=send_id)
        .filter(Q(attempts__lt=MAX_ATTEMPTS) | Q(status=SendStatus.PENDING))
        .update(
            status=SendStatus.SENDING,
            claimed_at=now,
            attempts=F("attempts") + 1,
            updated_at=now,
        )
    )
    return claimed == 1


def skip_reason(send: ReminderSend) -> str:
    """Why this reminder must not go out now, or "" when it should. An allow-list: only
    outstanding invoices with money due are ever reminded."""
    invoice = send.invoice
    refusal = invoice_refusal(invoice)
    if refusal:
        return refusal
    if invoice.client.reminders_opt_out:
        return "The client has unsubscribed from payment reminders."
    if not invoice.client.email:
        return "The client has no email address."
    if send.kind == SendKind.AUTOMATIC:
        if InvoiceReminderState.objects.filter(invoice=invoice, paused_at__isnull=False).exists():
            return "Reminders for this invoice are paused."
        if ReminderPolicy.objects.filter(firm_id=send.firm_id, enabled=False).exists():
            return "The firm turned payment reminders off."
        if invoice.sent_at and invoice.sent_at > send.created_at - FRESH_INVOICE:
            return "The invoice itself was emailed less than a day before."
    return ""


def _finish(send: ReminderSend, **fields) -> None:
    fields["updated_at"] = timezone.now()
    ReminderSend.objects.filter(pk=send.pk, status=SendStatus.SENDING).update(**fields)


def reminder_send_deliver(*, send_id: int) -> str:
    """Claim, check, render and email one reminder. Returns the row's new status."""
    if not reminder_send_claim(send_id=send_id):
        return "not-claimed"
    send = ReminderSend.objects.select_related("invoice__client", "invoice__firm").get(pk=send_id)
    reason = skip_reason(send)
    if reason:
        _finish(send, status=SendStatus.SKIPPED, last_error=reason, next_attempt_at=None)
        return SendStatus.SKIPPED
    invoice = send.invoice
    offset = send.step
    if offset is None:
        offset = (firm_today(invoice.firm) - invoice.due_date).days
    try:
        text = step_text_for(reminder_step_texts(firm=invoice.firm), offset)
        subject, body = reminder_render(invoice=invoice, text=text)
        reminder_message(invoice=invoice, subject=subject, body=body).send()
    except Exception as exc:  # noqa: BLE001 - any failure is recorded on the row and retried
        logger.warning("reminder %s failed: %s", send.pk, type(exc).__name__)
        attempts = send.attempts
        retry_at = None
        if attempts < MAX_ATTEMPTS:
            retry_at = timezone.now() + RETRY_BASE * 2 ** (attempts - 1)
        _finish(
            send,
            status=SendStatus.FAILED,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            next_attempt_at=retry_at,
        )
        return SendStatus.FAILED
    _finish(
        send,
        status=SendStatus.SENT,
        sent_at=timezone.now(),
        to_email=invoice.client.email,
        subject=subject[:300],
        body=body,
        last_error="",
        next_attempt_at=None,
    )
    return SendStatus.SENT


def reminder_outbox_due_ids(*, now: datetime.datetime | None = None, limit: int = DRAIN_BATCH):
    now = now or timezone.now()
    return list(
        ReminderSend.objects.filter(_deliverable(now))
        .filter(Q(attempts__lt=MAX_ATTEMPTS) | Q(status=SendStatus.PENDING))
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )


def reminder_outbox_give_up_stale(*, now: datetime.datetime | None = None) -> int:
    """Rows whose worker died on the last allowed attempt: failed, for the firm to see."""
    now = now or timezone.now()
    return ReminderSend.objects.filter(
        status=SendStatus.SENDING,
        claimed_at__lt=now - STALE_CLAIM,
        attempts__gte=MAX_ATTEMPTS,
    ).update(
        status=SendStatus.FAILED,
        last_error="The worker stopped while sending; gave up.",
        next_attempt_at=None,
        updated_at=now,
    )


def reminder_outbox_drain() -> dict[str, int]:
    """Deliver every row that is due, batch by batch, until none is left. Safe to run in
    several workers at once: each row is claimed by one."""
    counts: dict[str, int] = {}
    seen: set[int] = set()
    while True:
        ids = [pk for pk in reminder_outbox_due_ids() if pk not in seen]
        if not ids:
            return counts
        for send_id in ids:
            seen.add(send_id)
            outcome = reminder_send_deliver(send_id=send_id)
            counts[outcome] = counts.get(outcome, 0) + 1
