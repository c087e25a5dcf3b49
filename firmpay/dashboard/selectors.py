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

from django.db.models import Case, Count, IntegerField, Sum, Value, When

from firmpay.invoices.models import (
    OUTSTANDING_STATUSES,
    Invoice,
    InvoiceStatus,
    ManualPayment,
)
from firmpay.payments.online.models import (
    DEBIT_METHODS,
    DisputeStatus,
    OnlinePayment,
    OnlinePaymentStatus,
    PaymentDispute,
    PaymentRefund,
    RefundStatus,
)
from firmpay.payouts.models import Payout, PayoutStatus

MONTHS = 12
DSO_DAYS = 90
# Invoices that count as invoiced: sent to the client, whatever happened after.
INVOICED_EXCLUDED = (InvoiceStatus.DRAFT, InvoiceStatus.VOID)
# Ageing buckets by days past the due date, in order: (key, label, first day, last day or
# None for "and older").
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
    expected_payouts: int  # payouts Stripe has made that have not reached the bank yet
    attention: Attention


def _month_starts(today: datetime.date, count: int) -> list[datetime.date]:
    first = today.replace(day=1)
    starts = []
    year, month = first.year, first.month
    for _ in range(count):
        starts.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(starts))


def _month_bounds(starts: list[datetime.date], tz) -> list[tuple]:
    """(first day, first day of the next month) per month, as dates and as the firm's
    local midnights, so both date and datetime columns compare natively (no per-row
    month truncation, which SQLite runs as a Python function for every row)."""
    bounds = []
    for start in starts:
        after = (start + datetime.timedelta(days=32)).replace(day=1)
        bounds.append(
            (
                start,
                after,
                datetime.datetime.combine(start, datetime.time.min, tzinfo=tz),
                datetime.datetime.combine(after, datetime.time.min, tzinfo=tz),
            )
        )
    return bounds


def _monthly_sums(queryset, *, field: str, amount: str, bounds, aware: bool) -> list[int]:
    """The sum of `amount` per month by `field`, in the months' order: one GROUP BY over
    a CASE that finds each row's month with plain comparisons (the queryset is already
    limited to the whole period)."""
    month_of = Case(
        *(
            When(**{f"{field}__lt": after_at if aware else after}, then=Value(index))
            for index, (_start, after, _start_at, after_at) in enumerate(bounds)
        ),
        output_field=IntegerField(),
    )
    sums = [0] * len(bounds)
    rows = queryset.order_by().annotate(month=month_of).values("month").annotate(total=Sum(amount))
    for row in rows:
        if row["month"] is not None:
            sums[row["month"]] += row["total"] or 0
    return sums


def _months(*, firm, currency: str, starts: list[datetime.date], tz) -> list[MonthFigures]:
    bounds = _month_bounds(starts, tz)
    since, until, since_at, until_at = bounds[0][0], bounds[-1][1], bounds[0][2], bounds[-1][3]
    invoiced = _monthly_sums(
        Invoice.objects.filter(
            firm=firm, currency=currency, issue_date__gte=since, issue_date__lt=until
        ).exclude(status__in=INVOICED_EXCLUDED),
        field="issue_date",
        amount="total",
        bounds=bounds,
        aware=False,
    )
    online = _monthly_sums(
        OnlinePayment.objects.filter(
            firm=firm, currency=currency, succeeded_at__gte=since_at, succeeded_at__lt=until_at
        ),
        field="succeeded_at",
        amount="amount",
        bounds=bounds,
        aware=True,
    )
    manual = _monthly_sums(
        ManualPayment.objects.filter(
            firm=firm, currency=currency, received_on__gte=since, received_on__lt=until
        ),
        field="received_on",
        amount="amount",
        bounds=bounds,
        aware=False,
    )
    refunded = _monthly_sums(
        PaymentRefund.objects.filter(
            firm=firm,
            currency=currency,
            status=RefundStatus.SUCCEEDED,
            created_at__gte=since_at,
            created_at__lt=until_at,
        ),
        field="created_at",
        amount="amount",
        bounds=bounds,
        aware=True,
    )
    # A lost dispute takes the money back for good: it comes off the month it was lost in.
    lost = _monthly_sums(
        PaymentDispute.objects.filter(
            firm=firm,
            currency=currency,
            status=DisputeStatus.LOST,
            closed_at__gte=since_at,
            closed_at__lt=until_at,
        ),
        field="closed_at",
        amount="amount",
        bounds=bounds,
        aware=True,
    )
    return [
        MonthFigures(
            month=start,
            invoiced=invoiced[index],
            collected=online[index] + manual[index] - refunded[index] - lost[index],
        )
        for index, start in enumerate(starts)
    ]


def _ageing(*, firm, currency: str, today: datetime.date) -> list[AgeBucket]:
    """Outstanding amounts by days past due: one GROUP BY over a CASE on the due date."""
    # Days past due d = today - due_date, so "at most `last` days" is due_date >= today - last.
    bucket_of = Case(
        *(
            When(due_date__gte=today - datetime.timedelta(days=last), then=Value(key))
            for key, _label, _first, last in AGE_BUCKETS
            if last is not None
        ),
        default=Value(AGE_BUCKETS[-1][0]),
    )
    rows = (
        Invoice.objects.filter(firm=firm, currency=currency, status__in=OUTSTANDING_STATUSES)
        .order_by()
        .annotate(bucket=bucket_of)
        .values("bucket")
        .annotate(amount=Sum("amount_due"), count=Count("id"))
    )
    found = {row["bucket"]: row for row in rows}
    return [
        AgeBucket(
            key=key,
            label=label,
            amount=found.get(key, {}).get("amount") or 0,
            count=found.get(key, {}).get("count") or 0,
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
    expected_payouts = (
        Payout.objects.filter(
            firm=firm,
            currency=currency,
            status__in=[PayoutStatus.PENDING, PayoutStatus.IN_TRANSIT],
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
        expected_payouts=expected_payouts,
        attention=_attention(firm=firm, currency=currency, today=today),
    )
