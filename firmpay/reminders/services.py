"""Writes for reminders: the policy, the sweep, pause, "Send reminder now", unsubscribe."""

import datetime
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from firmpay.clients.models import Client
from firmpay.clients.services import client_update
from firmpay.core.audit import audit_record_create
from firmpay.invoices.models import Invoice
from firmpay.reminders.eligibility import invoice_refusal
from firmpay.reminders.exceptions import PolicyInvalid, ReminderRefused
from firmpay.reminders.models import (
    MAX_OFFSET_DAYS,
    MIN_OFFSET_DAYS,
    InvoiceReminderState,
    ReminderPolicy,
    ReminderSend,
    ReminderStep,
    SendKind,
)
from firmpay.reminders.placeholders import PlaceholderError, placeholders_check
from firmpay.reminders.schedule import StepText, firm_zone, reminder_day
from firmpay.reminders.sweep import SweepResult, reminders_record_due
from firmpay.reminders.tasks import (
    reminder_optout_notice_task,
    reminder_outbox_drain_task,
    reminder_send_deliver_task,
)

MANUAL_INTERVAL = datetime.timedelta(hours=24)


def reminders_sweep(*, now: datetime.datetime | None = None) -> SweepResult:
    """Record the reminders due now, then kick delivery once everything is committed."""
    result = reminders_record_due(now=now)
    if result.recorded:
        transaction.on_commit(reminder_outbox_drain_task)
    return result


def _steps_check(steps: Sequence[StepText]) -> None:
    seen = set()
    for index, step in enumerate(steps):
        if not MIN_OFFSET_DAYS <= step.offset_days <= MAX_OFFSET_DAYS:
            raise PolicyInvalid(
                f"Steps are between {-MIN_OFFSET_DAYS} days before and {MAX_OFFSET_DAYS} "
                "days after the due date.",
                field="offset_days",
                step=index,
            )
        if step.offset_days in seen:
            raise PolicyInvalid("Two steps fall on the same day.", field="offset_days", step=index)
        seen.add(step.offset_days)
        for field in ("subject", "body"):
            text = getattr(step, field)
            if not text.strip():
                raise PolicyInvalid("This field is required.", field=field, step=index)
            try:
                placeholders_check(text)
            except PlaceholderError as exc:
                raise PolicyInvalid(str(exc), field=field, step=index) from exc


def reminder_policy_update(
    *,
    firm,
    enabled: bool,
    send_hour: int,
    repeat_every_days: int,
    max_repeats: int,
    steps: Sequence[StepText],
    updated_by=None,
    request=None,
) -> ReminderPolicy:
    """Save the firm's policy and replace its steps. Invalid input changes nothing."""
    if not 0 <= send_hour <= 23:
        raise PolicyInvalid("Choose an hour from 0 to 23.", field="send_hour")
    if enabled and not steps:
        raise PolicyInvalid("Add at least one step, or turn reminders off.")
    _steps_check(steps)
    with transaction.atomic():
        ReminderPolicy.objects.bulk_create([ReminderPolicy(firm=firm)], ignore_conflicts=True)
        policy = ReminderPolicy.objects.select_for_update().get(firm=firm)
        policy.enabled = enabled
        policy.send_hour = send_hour
        policy.repeat_every_days = repeat_every_days
        policy.max_repeats = max_repeats
        policy.updated_by = updated_by
        policy.full_clean()
        policy.save()
        policy.steps.all().delete()
        ReminderStep.objects.bulk_create(
            ReminderStep(
                policy=policy,
                offset_days=step.offset_days,
                subject=step.subject.strip(),
                body=step.body.strip(),
            )
            for step in sorted(steps, key=lambda step: step.offset_days)
        )
        audit_record_create(
            action="reminders.policy_update",
            firm=firm,
            actor=updated_by,
            target=policy,
            detail={"enabled": enabled, "steps": [step.offset_days for step in steps]},
            request=request,
        )
    return policy


def _state_locked(invoice: Invoice) -> InvoiceReminderState:
    """The invoice's reminder state row, created if missing, locked until commit."""
    InvoiceReminderState.objects.bulk_create(
        [InvoiceReminderState(firm_id=invoice.firm_id, invoice=invoice)], ignore_conflicts=True
    )
    return InvoiceReminderState.objects.select_for_update().get(invoice=invoice)


def invoice_reminders_pause(*, invoice: Invoice, paused_by=None) -> InvoiceReminderState:
    with transaction.atomic():
        state = _state_locked(invoice)
        if state.paused_at is None:
            state.paused_at = timezone.now()
            state.paused_by = paused_by
            state.save(update_fields=["paused_at", "paused_by", "updated_at"])
    return state


def invoice_reminders_resume(*, invoice: Invoice) -> InvoiceReminderState:
    with transaction.atomic():
        state = _state_locked(invoice)
        if state.paused_at is not None:
            state.paused_at = None
            state.paused_by = None
            state.save(update_fields=["paused_at", "paused_by", "updated_at"])
    return state


def _manual_refusal(invoice: Invoice) -> str:
    if invoice.is_draft:
        return f"{invoice.number} is a draft: send the invoice first."
    if not invoice.is_outstanding or invoice.amount_due <= 0:
        return f"{invoice.number} is {invoice.get_status_display().lower()}: nothing to remind."
    if invoice_refusal(invoice):
        return f"{invoice.number}: {invoice_refusal(invoice)}"
    if invoice.client.reminders_opt_out:
        return f"{invoice.client.name} has unsubscribed from payment reminders."
    return ""


def reminder_send_now(
    *, invoice: Invoice, requested_by=None, now: datetime.datetime | None = None
) -> ReminderSend:
    """A reminder sent by hand, at most one per invoice per 24 hours: the check runs with
    the invoice's reminder state row locked, so two clicks cannot both pass it."""
    now = now or timezone.now()
    with transaction.atomic():
        state = _state_locked(invoice)
        invoice.refresh_from_db()
        refusal = _manual_refusal(invoice)
        if refusal:
            raise ReminderRefused(refusal)
        if state.last_manual_at and state.last_manual_at > now - MANUAL_INTERVAL:
            zone = invoice.firm.timezone
            sent = timezone.localtime(state.last_manual_at, firm_zone(zone))
            raise ReminderRefused(
                f"A reminder for {invoice.number} was already sent by hand at "
                f"{sent:%H:%M} on {sent.day} {sent:%B} ({zone} time). You can send another "
                f"after {sent:%H:%M} tomorrow."
            )
        state.last_manual_at = now
        state.save(update_fields=["last_manual_at", "updated_at"])
        send = ReminderSend.objects.create(
            firm_id=invoice.firm_id,
            invoice=invoice,
            step=None,
            kind=SendKind.MANUAL,
            reminder_day=reminder_day(now, zone_name=invoice.firm.timezone, send_hour=0),
            requested_by=requested_by,
        )
        transaction.on_commit(lambda: reminder_send_deliver_task(send.pk))
    return send


def client_reminders_unsubscribe(*, client, request=None) -> bool:
    """The client's unsubscribe link: no more reminders to them (invoices still go), and the
    firm is told. Returns False when they had already unsubscribed."""
    with transaction.atomic():
        # Locked: two clicks at once must not both see "not yet" and email the firm twice.
        locked = Client.objects.select_for_update().get(pk=client.pk)
        if locked.reminders_opt_out:
            client.reminders_opt_out = True
            return False
        client_update(client=locked, reminders_opt_out=True)
        client.reminders_opt_out = True
        audit_record_create(
            action="reminders.client_unsubscribe",
            firm=client.firm,
            actor=None,
            target=client,
            detail={"client": client.name, "email": client.email},
            request=request,
        )
        client_id = client.pk
        transaction.on_commit(lambda: reminder_optout_notice_task(client_id))
    return True
