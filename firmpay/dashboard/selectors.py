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

from django.db import connection
from django.db.models import DateTimeField, F, Sum

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


def _range_sums(queryset, *, field: str, ranges, amount: str, count: bool = False) -> list:
    """For each (first, after) in `ranges` (either may be None: open-ended), the sum of
    `amount` (and the count) of the rows whose `field` is in [first, after): one statement,
    a UNION ALL of one aggregate per range. Each part is a range scan of a covering index
    that only adds up, which SQLite runs about three times faster than one GROUP BY over a
    CASE deciding each row's range (and PostgreSQL no slower). The queryset's SQL is built
    once and repeated per range (building a queryset per part cost more than the scans).
    Returns [(sum, count)] or [sum], in the order of `ranges`."""
    column = queryset.model._meta.get_field(field)
    adapt = (
        connection.ops.adapt_datetimefield_value
        if isinstance(column, DateTimeField)
        else connection.ops.adapt_datefield_value
    )
    inner, inner_params = (
        queryset.order_by()
        .values(range_at=F(field), range_amount=F(amount))
        .query.sql_with_params()
    )
    counted = "COUNT(*)" if count else "0"
    parts, params = [], []
    for index, (first, after) in enumerate(ranges):
        conditions = []
        params.extend(inner_params)
        for operator, bound in ((">=", first), ("<", after)):
            if bound is not None:
                conditions.append(f"range_at {operator} %s")
                params.append(adapt(bound))
        where = " AND ".join(conditions) or "1 = 1"
        parts.append(
            f"SELECT {int(index)}, SUM(range_amount), {counted} "  # noqa: S608 - no user text
            f"FROM ({inner}) part_{int(index)} WHERE {where}"
        )
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        found = {row[0]: row for row in cursor.fetchall()}
    results = []
    for index in range(len(ranges)):
        _index, total, rows = found.get(index, (index, 0, 0))
        results.append((total or 0, rows or 0) if count else (total or 0))
    return results


def _months(
    *, firm, currency: str, starts: list[datetime.date], tz, dso_range
) -> tuple[list[MonthFigures], int]:
    """Invoiced and collected per month, and (from the same statement as invoiced) what was
    invoiced in `dso_range` for days sales outstanding."""
    bounds = _month_bounds(starts, tz)
    days = [(first, after) for first, after, _first_at, _after_at in bounds]
    moments = [(first_at, after_at) for _first, _after, first_at, after_at in bounds]
    *invoiced, dso_invoiced = _range_sums(
        Invoice.objects.filter(firm=firm, currency=currency).exclude(status__in=INVOICED_EXCLUDED),
        field="issue_date",
        ranges=[*days, dso_range],
        amount="total",
    )
    online = _range_sums(
        OnlinePayment.objects.filter(firm=firm, currency=currency),
        field="succeeded_at",
        ranges=moments,
        amount="amount",
    )
    manual = _range_sums(
        ManualPayment.objects.filter(firm=firm, currency=currency),
        field="received_on",
        ranges=days,
        amount="amount",
    )
    refunded = _range_sums(
        PaymentRefund.objects.filter(firm=firm, currency=currency, status=RefundStatus.SUCCEEDED),
        field="created_at",
        ranges=moments,
        amount="amount",
    )
    # A lost dispute takes the money back for good: it comes off the month it was lost in.
    lost = _range_sums(
        PaymentDispute.objects.filter(firm=firm, currency=currency, status=DisputeStatus.LOST),
        field="closed_at",
        ranges=moments,
        amount="amount",
    )
    months = [
        MonthFigures(
            month=start,
            invoiced=invoiced[index],
            collected=online[index] + manual[index] - refunded[index] - lost[index],
        )
        for index, start in enumerate(starts)
    ]
    return months, dso_invoiced


def _ageing(*, firm, currency: str, today: datetime.date) -> list[AgeBucket]:
    """Outstanding amounts by days past due: one range of due dates per bucket."""
    # Days past due d = today - due_date, so "d from `first` to `last`" is
    # today - last <= due_date < today - first + 1.
    ranges = [
        (
            None if last is None else today - datetime.timedelta(days=last),
            None if first is None else today - datetime.timedelta(days=first - 1),
        )
        for _key, _label, first, last in AGE_BUCKETS
    ]
    sums = _range_sums(
        Invoice.objects.filter(firm=firm, currency=currency, status__in=OUTSTANDING_STATUSES),
        field="due_date",
        ranges=ranges,
        amount="amount_due",
        count=True,
    )
    return [
        AgeBucket(key=key, label=label, amount=amount, count=count)
        for (key, label, _first, _last), (amount, count) in zip(AGE_BUCKETS, sums, strict=True)
    ]


def _dso_range(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The last 90 days, today included, as [first, after)."""
    return today - datetime.timedelta(days=DSO_DAYS - 1), today + datetime.timedelta(days=1)


def _dso(*, invoiced: int, outstanding: int) -> int | None:
    """Days sales outstanding over the last 90 days: receivables / invoiced × 90."""
    if not invoiced:
        return None
    return round(outstanding * DSO_DAYS / invoiced)


def _attention(*, firm, currency: str, today: datetime.date, tz) -> Attention:
    """Failed bank debits of the last 30 days whose invoice is still unpaid, and disputes
    still open, most urgent first."""
    failed = (
        OnlinePayment.objects.filter(
            firm=firm,
            currency=currency,
            status=OnlinePaymentStatus.FAILED,
            method__in=DEBIT_METHODS,
            # The firm's midnight 30 days ago, compared natively (`failed_at__date` ran a
            # Python function per row on SQLite).
            failed_at__gte=datetime.datetime.combine(
                today - datetime.timedelta(days=30), datetime.time.min, tzinfo=tz
            ),
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


# The firm's distinct invoice currencies by a loose index scan: one index probe per currency
# (the next one after the last), where a DISTINCT read every invoice of the firm on
# PostgreSQL (a sequential scan of 100,000 rows; SQLite skips along the index by itself).
CURRENCIES_SQL = (
    "WITH RECURSIVE used(code) AS ("
    " SELECT MIN(currency) FROM invoices_invoice WHERE firm_id = %s"
    " UNION ALL"
    " SELECT (SELECT MIN(currency) FROM invoices_invoice WHERE firm_id = %s AND currency > code)"
    " FROM used WHERE code IS NOT NULL"
    ") SELECT code FROM used WHERE code IS NOT NULL"
)


def dashboard_currencies(*, firm) -> list[str]:
    """The currencies the firm invoices in, its default currency first."""
    with connection.cursor() as cursor:
        cursor.execute(CURRENCIES_SQL, [firm.pk, firm.pk])
        used = {code for (code,) in cursor.fetchall()}
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
    months, dso_invoiced = _months(
        firm=firm,
        currency=currency,
        starts=_month_starts(today, MONTHS),
        tz=tz,
        dso_range=_dso_range(today),
    )
    return Dashboard(
        currency=currency,
        currencies=currencies,
        today=today,
        months=months,
        ageing=ageing,
        outstanding=outstanding,
        dso_days=_dso(invoiced=dso_invoiced, outstanding=outstanding),
        on_its_way=on_its_way,
        expected_payouts=expected_payouts,
        attention=_attention(firm=firm, currency=currency, today=today, tz=tz),
    )
