"""Reads for autopay: settings, a client's authorisation, the invoice's collection, the
clients whose autopay needs attention, and what a disconnect would stop."""

from __future__ import annotations

import datetime
import zoneinfo

from django.db.models import Q
from django.utils import timezone

from firmpay.invoices.dates import firm_today
from firmpay.payments.autopay.models import (
    SCHEDULED_STATUSES,
    AutopayAuthorisation,
    AutopayAuthorisationStatus,
    AutopaySettings,
    InvoiceAutopay,
    InvoiceAutopayStatus,
)

DEFAULT_RETRY_DAYS = (3, 7)
IN_USE = (AutopayAuthorisationStatus.ACTIVE, AutopayAuthorisationStatus.NEEDS_ATTENTION)


def autopay_retry_days(*, firm) -> list[int]:
    row = AutopaySettings.objects.filter(firm=firm).first()
    return list(row.retry_days) if row is not None else list(DEFAULT_RETRY_DAYS)


def autopay_settings_for_firm(*, firm) -> AutopaySettings:
    row = AutopaySettings.objects.filter(firm=firm).first()
    return row or AutopaySettings(firm=firm, retry_days=list(DEFAULT_RETRY_DAYS))


def client_authorisation(*, firm, client_id: int) -> AutopayAuthorisation | None:
    """The client's authorisation in use (active or needing attention), if any."""
    return (
        AutopayAuthorisation.objects.filter(firm=firm, client_id=client_id, status__in=IN_USE)
        .order_by("-id")
        .first()
    )


def invoice_autopay(*, invoice) -> InvoiceAutopay | None:
    return InvoiceAutopay.objects.filter(firm_id=invoice.firm_id, invoice_id=invoice.pk).first()


def invoice_collection_date(*, invoice) -> datetime.date | None:
    """The day a scheduled automatic charge will happen (reminders say so), or None when
    nothing is scheduled (then reminders ask the client to pay as usual)."""
    row = invoice_autopay(invoice=invoice)
    if row is None or row.status not in SCHEDULED_STATUSES:
        return None
    if row.next_attempt_at is None:
        return invoice.due_date
    today = firm_today(invoice.firm)
    return max(firm_local_date(invoice.firm, row.next_attempt_at), today)


def firm_local_date(firm, moment: datetime.datetime) -> datetime.date:
    """The date of `moment` in the firm's time zone (what the firm and client call it)."""
    try:
        zone = zoneinfo.ZoneInfo(firm.timezone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = datetime.UTC
    return timezone.localtime(moment, zone).date()


# Where the firm's invoice page shows the automatic collection as needing an eye on it.
NOT_GOING_WELL = ("retrying", "action_required", "paused", "exhausted")


def invoice_autopay_summary(*, invoice) -> dict | None:
    """The firm's invoice page: how the automatic collection stands (status, the next
    try in the firm's calendar, what the last attempt said, from which method), and which
    of the invoice's payments were automatic charges. None when it is not collected
    automatically."""
    row = invoice_autopay(invoice=invoice)
    if row is None:
        return None
    from firmpay.payments.autopay.models import AutopayAttempt

    authorisation = client_authorisation(firm=invoice.firm, client_id=invoice.client_id)
    next_on = None
    if row.status in SCHEDULED_STATUSES and row.next_attempt_at is not None:
        next_on = max(firm_local_date(invoice.firm, row.next_attempt_at), firm_today(invoice.firm))
    return {
        "status": row.status,
        "label": row.get_status_display(),
        "next_on": next_on,
        "last_error": row.last_error if row.status != InvoiceAutopayStatus.COLLECTED else "",
        "method": authorisation.method_label if authorisation is not None else "",
        "warning": row.status in NOT_GOING_WELL,
        "payment_ids": set(
            AutopayAttempt.objects.filter(invoice_autopay=row).values_list("payment_id", flat=True)
        ),
    }


def invoice_charge_scheduled(*, invoice) -> bool:
    row = invoice_autopay(invoice=invoice)
    return row is not None and row.status in SCHEDULED_STATUSES


def autopay_attention_list(*, firm) -> list[AutopayAuthorisation]:
    """Clients whose autopay needs attention: the method needs replacing, or a charge could
    not be made (paused, retries exhausted, the client must authenticate)."""
    stuck_clients = InvoiceAutopay.objects.filter(
        firm=firm,
        status__in=[
            InvoiceAutopayStatus.PAUSED,
            InvoiceAutopayStatus.EXHAUSTED,
            InvoiceAutopayStatus.ACTION_REQUIRED,
        ],
    ).values_list("invoice__client_id", flat=True)
    return list(
        AutopayAuthorisation.objects.filter(firm=firm)
        .filter(
            Q(status=AutopayAuthorisationStatus.NEEDS_ATTENTION)
            | Q(status=AutopayAuthorisationStatus.ACTIVE, client_id__in=stuck_clients)
        )
        .select_related("client")
        .order_by("client__name")
    )


def autopay_firm_overview(*, firm) -> dict:
    return {
        "authorisations": list(
            AutopayAuthorisation.objects.filter(firm=firm, status__in=IN_USE)
            .select_related("client")
            .order_by("client__name")
        ),
        "attention": autopay_attention_list(firm=firm),
        "settings": autopay_settings_for_firm(firm=firm),
    }


def autopay_disconnect_impact(*, account) -> dict[str, int]:
    """What disconnecting `account` would stop: mandates and saved cards in use, and
    charges still scheduled."""
    in_use = AutopayAuthorisation.objects.filter(
        stripe_account_id=account.stripe_account_id, status__in=IN_USE
    )
    return {
        "mandates": in_use.filter(method__in=["us_bank_account", "bacs_debit"]).count(),
        "cards": in_use.filter(method="card").count(),
        "scheduled_charges": InvoiceAutopay.objects.filter(
            firm_id=account.firm_id, status__in=SCHEDULED_STATUSES
        ).count(),
    }
