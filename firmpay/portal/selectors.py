"""Reads for the client portal. Every read takes the signed-in `client` (whose firm scopes
it too): a client never sees another client's rows, nor another firm's."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from firmpay.invoices.models import OUTSTANDING_STATUSES, Invoice, InvoiceStatus, ManualPayment
from firmpay.payments.online.models import (
    REFUND_COUNTED,
    OnlinePayment,
    OnlinePaymentStatus,
    PaymentRefund,
)
from firmpay.tenancy.middleware import firm_timezone
from firmpay.tenancy.models import Firm

# Online payments that took money (refunds are listed on their own).
PAID_ONLINE = (
    OnlinePaymentStatus.SUCCEEDED,
    OnlinePaymentStatus.PARTIALLY_REFUNDED,
    OnlinePaymentStatus.REFUNDED,
    OnlinePaymentStatus.DISPUTED,
    OnlinePaymentStatus.WON,
    OnlinePaymentStatus.LOST,
)
SHOWN = ~Q(status__in=[InvoiceStatus.DRAFT, InvoiceStatus.VOID])


def portal_firm_get(*, firm_key: str) -> Firm:
    return get_object_or_404(Firm, portal_key=firm_key)


def _invoices(client):
    return Invoice.objects.filter(firm_id=client.firm_id, client=client).filter(SHOWN)


def portal_open_invoices(*, client) -> list[Invoice]:
    """What the client still owes (and debits on their way), oldest due first."""
    statuses = [*OUTSTANDING_STATUSES, InvoiceStatus.PAYMENT_PROCESSING]
    return list(_invoices(client).filter(status__in=statuses).order_by("due_date", "id"))


def portal_paid_invoices(*, client) -> list[Invoice]:
    statuses = [InvoiceStatus.PAID, InvoiceStatus.REFUNDED]
    return list(_invoices(client).filter(status__in=statuses).order_by("-issue_date", "-id"))


def portal_invoice_get(*, client, invoice_id: int) -> Invoice:
    """The client's own sent invoice, or 404 (another client's or firm's does not exist)."""
    return get_object_or_404(_invoices(client).select_related("firm", "client"), pk=invoice_id)


def _payments(client):
    return OnlinePayment.objects.filter(firm_id=client.firm_id, invoice__client=client)


def portal_payments(*, client) -> list[OnlinePayment]:
    """The client's online payments that took money, newest first."""
    return list(
        _payments(client)
        .filter(status__in=PAID_ONLINE)
        .select_related("invoice")
        .prefetch_related("refunds", "allocations__invoice")
        .order_by("-succeeded_at", "-id")
    )


def portal_manual_payments(*, client) -> list[ManualPayment]:
    return list(
        ManualPayment.objects.filter(firm_id=client.firm_id, invoice__client=client)
        .select_related("invoice")
        .order_by("-received_on", "-id")
    )


def portal_payment_get(*, client, payment_id: int) -> OnlinePayment:
    payment = (
        _payments(client)
        .filter(pk=payment_id, status__in=PAID_ONLINE)
        .select_related("invoice", "firm")
        .first()
    )
    if payment is None:
        raise Http404("No such payment")
    return payment


def paid_invoices(payment) -> list[Invoice]:
    """Every invoice a payment paid, in the order it was applied (a portal payment for
    several has allocations; otherwise it is the payment's own invoice). Prefetch
    `allocations__invoice`."""
    return [a.invoice for a in payment.allocations.all()] or [payment.invoice]


# --- the statement ----------------------------------------------------------------------


@dataclass(frozen=True)
class StatementEntry:
    date: datetime.date
    kind: str  # invoice | payment | refund
    description: str
    debit: int = 0  # what the client owes more
    credit: int = 0  # what the client paid


@dataclass
class Statement:
    client: object
    currency: str
    start: datetime.date
    end: datetime.date
    opening: int
    entries: list[StatementEntry] = field(default_factory=list)
    closing: int = 0
    invoiced: int = 0
    paid: int = 0
    refunded: int = 0


def _local_date(moment, firm) -> datetime.date:
    return timezone.localtime(moment, firm_timezone(firm)).date()


def _all_entries(client, currency: str, end: datetime.date) -> list[StatementEntry]:
    firm = client.firm
    entries = [
        StatementEntry(i.issue_date, "invoice", f"Invoice {i.number}", debit=i.total)
        for i in _invoices(client).filter(currency=currency, issue_date__lte=end)
    ]
    for m in ManualPayment.objects.filter(
        firm_id=client.firm_id, invoice__client=client, currency=currency, received_on__lte=end
    ).select_related("invoice"):
        label = f"Payment ({m.get_method_display().lower()}) for {m.invoice.number}"
        entries.append(StatementEntry(m.received_on, "payment", label, credit=m.amount))
    for p in (
        _payments(client)
        .filter(currency=currency, status__in=PAID_ONLINE)
        .exclude(succeeded_at=None)
        .select_related("invoice")
        .prefetch_related("allocations__invoice")
    ):
        day = _local_date(p.succeeded_at, firm)
        if day <= end:
            paid_for = ", ".join(i.number for i in paid_invoices(p))
            label = f"Payment ({p.method_label.lower() or 'online'}) #{p.pk} for {paid_for}"
            entries.append(StatementEntry(day, "payment", label, credit=p.amount))
    for r in PaymentRefund.objects.filter(
        firm_id=client.firm_id,
        payment__invoice__client=client,
        currency__iexact=currency,
        status__in=REFUND_COUNTED,
    ):
        day = _local_date(r.created_at, firm)
        if day <= end:
            label = f"Refund of payment #{r.payment_id}"
            entries.append(StatementEntry(day, "refund", label, debit=r.amount))
    order = {"invoice": 0, "refund": 1, "payment": 2}
    return sorted(entries, key=lambda e: (e.date, order[e.kind]))


def portal_statement(
    *, client, start: datetime.date, end: datetime.date, currency: str | None = None
) -> Statement:
    """Opening balance at `start`, what happened from `start` to `end` (both included, the
    firm's calendar days) and the closing balance. Balance = invoiced - paid + refunded."""
    currency = currency or client.currency
    statement = Statement(client=client, currency=currency, start=start, end=end, opening=0)
    for entry in _all_entries(client, currency, end):
        change = entry.debit - entry.credit
        if entry.date < start:
            statement.opening += change
            continue
        statement.entries.append(entry)
        if entry.kind == "invoice":
            statement.invoiced += entry.debit
        elif entry.kind == "payment":
            statement.paid += entry.credit
        else:
            statement.refunded += entry.debit
    statement.closing = statement.opening + statement.invoiced - statement.paid + statement.refunded
    return statement


def portal_payment_attempt_get(*, client, payment_id: int) -> OnlinePayment:
    """Any of the client's own payment attempts (the return page), or 404."""
    payment = _payments(client).filter(pk=payment_id).select_related("invoice").first()
    if payment is None:
        raise Http404("No such payment")
    return payment
