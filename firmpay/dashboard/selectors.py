"""Reads behind the payments dashboard: what the firm invoiced and collected per month,
what is outstanding by age, days sales outstanding, and what needs attention.

Every figure is one set-based query per concept (a GROUP BY or a conditional SUM), so the
page costs the same number of queries at 1,000 invoices as at 100,000. Amounts are in one
currency at a time: a firm that invoices in several picks which one it looks at.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth

from firmpay.invoices.models import (
    OUTSTANDING_STATUSES,
    Invoice,
    InvoiceStatus,
    ManualPayment,
)
from firmpay.payments.checkout_models import (
    DEBIT_METHODS,
    DisputeStatus,
    OnlinePayment,
    OnlinePaymentStatus,
    PaymentDispute,
    PaymentRefund,
    RefundStatus,
)

MONTHS = 12
DSO_DAYS = 90
# Invoices that count as invoiced: sent to the client, whatever happened after.
INVOICED_EXCLUDED = (InvoiceStatus.DRAFT, InvoiceStatus.VOID)
# Ageing buckets by days past the due date: (key, label, first day, last day or None).
AGE_BUCKETS = (
    ("current", "Not yet due", None, 0),
    ("d1_30", "1–30 days", 1, 30),
    ("d31_60", "31–60 days", 31, 60),
    ("d61_90", "61–90 days", 61, 90),
    ("d90_plus", "Over 90 days", 91, None),
)


@dataclass(frozen=True)
class MonthFigures:
    month: datetime.date  # the first day of the month
    invoiced: int
    collected: int


@dataclass(frozen=True)
class AgeBucket:
    key: str
    label: str
    amount: int
    count: int


@dataclass(frozen=True)
class Attention:
    failed_debits: list[OnlinePayment]
    open_disputes: list[PaymentDispute]


@dataclass(frozen=True)
class Dashboard:
    currency: str
    currencies: list[str]
    today: datetime.date
    months: list[MonthFigures]
    ageing: list[AgeBucket]
    outstanding: int
    dso_days: int | None  # None: nothing invoiced in the period
    on_its_way: int  # bank debits initiated, not settled
    attention: Attention


def _month_starts(today: datetime.date, count: int) -> list[datetime.date]:
    first = today.replace(day=1)
    starts = []
    year, month = first.year, first.month
    for _ in range(count):
        starts.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(starts))


def _by_month(rows, key: str) -> dict[datetime.date, int]:
    totals: dict[datetime.date, int] = {}
    for row in rows:
        month = row["month"]
        if isinstance(month, datetime.datetime):
            month = month.date()
        totals[month] = totals.get(month, 0) + (row[key] or 0)
    return totals


def _months(*, firm, currency: str, starts: list[datetime.date], tz) -> list[MonthFigures]:
    since = starts[0]
    since_at = datetime.datetime.combine(since, datetime.time.min, tzinfo=tz)
    invoiced = _by_month(
        Invoice.objects.filter(firm=firm, currency=currency, issue_date__gte=since)
        .exclude(status__in=INVOICED_EXCLUDED)
        .annotate(month=TruncMonth("issue_date"))
        .values("month")
        .annotate(amount=Sum("total")),
        "amount",
    )
    online = _by_month(
        OnlinePayment.objects.filter(
            firm=firm, currency=currency, succeeded_at__gte=since_at, succeeded_at__isnull=False
        )
        .annotate(month=TruncMonth("succeeded_at", tzinfo=tz))
        .values("month")
        .annotate(amount=Sum("amount")),
        "amount",
    )
    manual = _by_month(
        ManualPayment.objects.filter(firm=firm, currency=currency, received_on__gte=since)
        .annotate(month=TruncMonth("received_on"))
        .values("month")
        .annotate(amount=Sum("amount")),
        "amount",
    )
    refunded = _by_month(
        PaymentRefund.objects.filter(
            firm=firm,
            currency=currency,
            created_at__gte=since_at,
            status=RefundStatus.SUCCEEDED,
        )
        .annotate(month=TruncMonth("created_at", tzinfo=tz))
        .values("month")
        .annotate(amount=Sum("amount")),
        "amount",
    )
    return [
        MonthFigures(
            month=start,
            invoiced=invoiced.get(start, 0),
            collected=online.get(start, 0) + manual.get(start, 0) - refunded.get(start, 0),
        )
        for start in starts
    ]


def _ageing(*, firm, currency: str, today: datetime.date) -> list[AgeBucket]:
    sums = {}
    for key, _label, first, last in AGE_BUCKETS:
        # Days past due d = today - due_date: due_date = today - d.
        condition = Q()
        if first is not None:
            condition &= Q(due_date__lte=today - datetime.timedelta(days=first))
        if last is not None:
            condition &= Q(due_date__gte=today - datetime.timedelta(days=last))
        sums[f"{key}_amount"] = Sum("amount_due", filter=condition)
        sums[f"{key}_count"] = Count("id", filter=condition)
    row = Invoice.objects.filter(
        firm=firm, currency=currency, status__in=OUTSTANDING_STATUSES
    ).aggregate(**sums)
    return [
        AgeBucket(
            key=key,
            label=label,
            amount=row[f"{key}_amount"] or 0,
            count=row[f"{key}_count"] or 0,
        )
        for key, label, _first, _last in AGE_BUCKETS
    ]


def _dso(*, firm, currency: str, today: datetime.date, outstanding: int) -> int | None:
    """Days sales outstanding over the last 90 days: receivables / invoiced × 90."""
    invoiced = (
        Invoice.objects.filter(
            firm=firm,
            currency=currency,
            issue_date__gt=today - datetime.timedelta(days=DSO_DAYS),
            issue_date__lte=today,
        )
        .exclude(status__in=INVOICED_EXCLUDED)
        .aggregate(amount=Sum("total"))["amount"]
    )
    if not invoiced:
        return None
    return round(outstanding * DSO_DAYS / invoiced)


def _attention(*, firm, currency: str, today: datetime.date) -> Attention:
    """Failed bank debits of the last 30 days whose invoice is still unpaid, and disputes
    still open, most urgent first."""
    failed = (
        OnlinePayment.objects.filter(
            firm=firm,
            currency=currency,
            status=OnlinePaymentStatus.FAILED,
            method__in=DEBIT_METHODS,
            failed_at__date__gte=today - datetime.timedelta(days=30),
            invoice__status__in=OUTSTANDING_STATUSES,
        )
        .select_related("invoice", "invoice__client")
        .order_by("-failed_at")[:20]
    )
    disputes = (
        PaymentDispute.objects.filter(firm=firm, currency=currency, status=DisputeStatus.OPEN)
        .select_related("payment", "payment__invoice", "payment__invoice__client")
        .order_by("evidence_due_by", "id")[:20]
    )
    return Attention(failed_debits=list(failed), open_disputes=list(disputes))


def dashboard_currencies(*, firm) -> list[str]:
    """The currencies the firm invoices in, its default currency first."""
    used = set(
        Invoice.objects.filter(firm=firm).order_by().values_list("currency", flat=True).distinct()
    )
    return [firm.default_currency] + sorted(used - {firm.default_currency})


def dashboard_for_firm(
    *, firm, currency: str = "", today: datetime.date | None = None
) -> Dashboard:
    tz = zoneinfo.ZoneInfo(firm.timezone or "UTC")
    today = today or datetime.datetime.now(tz).date()
    currencies = dashboard_currencies(firm=firm)
    currency = currency if currency in currencies else currencies[0]
    ageing = _ageing(firm=firm, currency=currency, today=today)
    outstanding = sum(bucket.amount for bucket in ageing)
    on_its_way = (
        OnlinePayment.objects.filter(
            firm=firm, currency=currency, status=OnlinePaymentStatus.PROCESSING
        ).aggregate(amount=Sum("amount"))["amount"]
        or 0
    )
    return Dashboard(
        currency=currency,
        currencies=currencies,
        today=today,
        months=_months(firm=firm, currency=currency, starts=_month_starts(today, MONTHS), tz=tz),
        ageing=ageing,
        outstanding=outstanding,
        dso_days=_dso(firm=firm, currency=currency, today=today, outstanding=outstanding),
        on_its_way=on_its_way,
        attention=_attention(firm=firm, currency=currency, today=today),
    )
