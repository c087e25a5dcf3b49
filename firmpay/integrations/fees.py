"""The Stripe card's fees, said plainly: for this month so far and last month (on the firm's
calendar, by the day each payment was received), what clients paid online (gross), Stripe's
fee, Firmpay's fee and what is left (net), per currency: what a bookkeeper needs to book a
month's card income and its fees.

One grouped query over the payments' stored figures: Firmpay's fee is each payment's own
`application_fee_amount` (what was taken when it was charged, from the plan's configured
fee); Stripe's fee is the one on the payment's balance transaction, stored once a payout
itemises it (firmpay/payouts). Until then that payment's Stripe fee is pending: it is never
counted as 0, and a month with a pending fee has no net yet (the card says how many are
pending and the net of what is known)."""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.utils import timezone

from firmpay.payments.online.models import OnlinePayment
from firmpay.payouts.models import ItemKind, PayoutItem

THIS_MONTH, LAST_MONTH = 0, 1


@dataclass(frozen=True)
class MonthFees:
    label: str  # "December 2026 so far", "November 2026"
    count: int
    gross: int
    stripe_fee: int  # the Stripe fees known so far
    stripe_pending: int  # payments whose Stripe fee is not known yet
    firmpay_fee: int

    @property
    def known_net(self) -> int:
        return self.gross - self.stripe_fee - self.firmpay_fee

    @property
    def net(self) -> int | None:
        """None (pending) while any payment's Stripe fee is."""
        return None if self.stripe_pending else self.known_net


@dataclass(frozen=True)
class CurrencyFees:
    currency: str
    months: list[MonthFees]


def _zone(firm) -> datetime.tzinfo:
    try:
        return zoneinfo.ZoneInfo(firm.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return datetime.UTC


def _month_starts(today: datetime.date) -> tuple[datetime.date, datetime.date, datetime.date]:
    """(last month's first day, this month's, next month's)."""
    this = today.replace(day=1)
    last = (this - datetime.timedelta(days=1)).replace(day=1)
    following = (this + datetime.timedelta(days=32)).replace(day=1)
    return last, this, following


def firm_month_fees(*, firm, now: datetime.datetime | None = None) -> list[CurrencyFees]:
    """Gross, Stripe's fee, Firmpay's fee and net of the payments received this month and
    last month, per currency (none when the firm received nothing online in either)."""
    zone = _zone(firm)
    today = timezone.localtime(now or timezone.now(), zone).date()
    last, this, following = (
        datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)
        for day in _month_starts(today)
    )
    stripe_fee = Subquery(
        PayoutItem.objects.filter(online_payment=OuterRef("pk"), kind=ItemKind.PAYMENT)
        .order_by("-id")
        .values("stripe_fee")[:1]
    )
    rows = (
        OnlinePayment.objects.filter(firm=firm, succeeded_at__gte=last, succeeded_at__lt=following)
        .annotate(
            month=Case(
                When(succeeded_at__gte=this, then=Value(THIS_MONTH)),
                default=Value(LAST_MONTH),
                output_field=IntegerField(),
            ),
            known_stripe_fee=stripe_fee,
        )
        .values("currency", "month")
        .annotate(
            n=Count("id"),
            gross=Sum("amount"),
            firmpay=Sum("application_fee_amount"),
            stripe=Sum("known_stripe_fee", default=0),
            pending=Count("id", filter=Q(known_stripe_fee__isnull=True)),
        )
        .order_by("currency", "month")
    )
    labels = {
        THIS_MONTH: f"{this:%B %Y} so far",
        LAST_MONTH: f"{last:%B %Y}",
    }
    by_currency: dict[str, dict[int, MonthFees]] = {}
    for row in rows:
        by_currency.setdefault(row["currency"], {})[row["month"]] = MonthFees(
            label=labels[row["month"]],
            count=row["n"],
            gross=row["gross"],
            stripe_fee=row["stripe"],
            stripe_pending=row["pending"],
            firmpay_fee=row["firmpay"],
        )
    return [
        CurrencyFees(
            currency=currency,
            months=[
                months.get(month) or MonthFees(labels[month], 0, 0, 0, 0, 0)
                for month in (THIS_MONTH, LAST_MONTH)
            ],
        )
        for currency, months in by_currency.items()
    ]
