"""Reads about payouts. Every firm read takes `firm=`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404
from django.utils import timezone

from firmpay.payouts.models import ItemKind, Payout, PayoutItem, PayoutStatus

PAGE_SIZE = 100
FAILED_ALERT_WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class KindTotal:
    kind: str
    label: str
    count: int
    amount: int
    stripe_fee: int
    firmpay_fee: int
    net: int


@dataclass(frozen=True)
class PayoutBreakdown:
    payout: Payout
    items: list[PayoutItem]
    by_kind: list[KindTotal]
    gross: int
    stripe_fees: int
    firmpay_fees: int
    net: int

    @property
    def adds_up(self) -> bool:
        return self.net == self.payout.amount


def firm_payouts(*, firm):
    return Payout.objects.filter(firm=firm).order_by("-stripe_created_at", "-id")[:PAGE_SIZE]


def payout_of_firm_or_404(*, firm, payout_id: int) -> Payout:
    return get_object_or_404(Payout.objects.select_related("account"), firm=firm, pk=payout_id)


def payout_breakdown(*, payout: Payout) -> PayoutBreakdown:
    items = list(
        payout.items.select_related("online_payment__invoice__client").order_by("kind", "id")
    )
    labels = dict(ItemKind.choices)
    totals: dict[str, list[int]] = {}
    for item in items:
        row = totals.setdefault(item.kind, [0, 0, 0, 0, 0])
        row[0] += 1
        row[1] += item.amount
        row[2] += item.stripe_fee
        row[3] += item.firmpay_fee
        row[4] += item.net
    by_kind = [
        KindTotal(kind, labels.get(kind, kind), *values)
        for kind, values in sorted(totals.items(), key=lambda pair: list(labels).index(pair[0]))
    ]
    return PayoutBreakdown(
        payout=payout,
        items=items,
        by_kind=by_kind,
        gross=sum(t.amount for t in by_kind),
        stripe_fees=sum(t.stripe_fee for t in by_kind),
        firmpay_fees=sum(t.firmpay_fee for t in by_kind),
        net=sum(t.net for t in by_kind),
    )


def failed_payouts_recent(*, firm) -> list[Payout]:
    """Payouts that failed in the last 30 days and were not followed by a paid one of the
    same account (the bank details were fixed): the app-wide banner says so."""
    since = timezone.now() - FAILED_ALERT_WINDOW
    later_paid = Payout.objects.filter(
        account=OuterRef("account"),
        status=PayoutStatus.PAID,
        stripe_created_at__gt=OuterRef("stripe_created_at"),
    )
    return list(
        Payout.objects.filter(firm=firm, status=PayoutStatus.FAILED, updated_at__gte=since)
        .exclude(Exists(later_paid))
        .order_by("-updated_at")[:3]
    )


def stripe_fees_of_payments(*, payment_ids: list[int]) -> dict[int, int]:
    """Stripe's fee on each payment, from the payouts that paid it out (one query)."""
    rows = PayoutItem.objects.filter(
        online_payment_id__in=payment_ids, kind=ItemKind.PAYMENT
    ).values_list("online_payment_id", "stripe_fee")
    return dict(rows)
