"""Writes for payouts: record Stripe's payout as it moves on, itemise what it paid out,
and link each item to the payment, refund or dispute Firmpay knows it by."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from firmpay.payments.exceptions import AccountAccessLost, StripeRequestFailed, StripeUnavailable
from firmpay.payments.facts import PayoutState
from firmpay.payments.models import OnlinePayment, PaymentDispute, PaymentRefund
from firmpay.payments.stripe.payouts import BalanceLine, payout_balance_lines
from firmpay.payouts.models import STATUS_RANK, ItemKind, Payout, PayoutItem, PayoutStatus

logger = logging.getLogger("firmpay.payouts")

MAX_ITEMIZE_ATTEMPTS = 12
ITEMIZE_WINDOW = timedelta(days=90)
RELINK_WINDOW = timedelta(days=30)

# Stripe's balance transaction types → what the firm calls them. Disputes arrive as
# adjustments whose source is the dispute (dp_…).
KIND_BY_TYPE = {
    "charge": ItemKind.PAYMENT,
    "payment": ItemKind.PAYMENT,
    "refund": ItemKind.REFUND,
    "payment_refund": ItemKind.REFUND,
    "payment_failure_refund": ItemKind.FAILED_DEBIT,
    "payout_failure": ItemKind.PAYOUT_RETURN,
    "adjustment": ItemKind.ADJUSTMENT,
}


def item_kind(line: BalanceLine) -> str:
    if line.source.startswith("dp_"):
        return ItemKind.DISPUTE if line.amount < 0 else ItemKind.DISPUTE_REVERSAL
    return KIND_BY_TYPE.get(line.type, ItemKind.OTHER)


def payout_record(*, account, payout: PayoutState, at: datetime) -> Payout:
    """A payout event: create the row or move its status on (never back). Itemising
    follows after the commit for automatic payouts."""
    with transaction.atomic():
        row, created = Payout.objects.select_for_update().get_or_create(
            stripe_payout_id=payout.id,
            defaults={
                "firm": account.firm,
                "account": account,
                "stripe_account_id": account.stripe_account_id,
                "amount": payout.amount,
                "currency": payout.currency,
                "status": payout.status,
                "automatic": payout.automatic,
                "arrival_date": payout.arrival_date,
                "stripe_created_at": payout.created,
                "failure_code": payout.failure_code,
                "failure_message": payout.failure_message,
            },
        )
        if not created and STATUS_RANK.get(payout.status, -1) > STATUS_RANK.get(row.status, -1):
            row.status = payout.status
            row.failure_code = payout.failure_code
            row.failure_message = payout.failure_message
            row.arrival_date = payout.arrival_date or row.arrival_date
            row.save(
                update_fields=[
                    "status",
                    "failure_code",
                    "failure_message",
                    "arrival_date",
                    "updated_at",
                ]
            )
        if row.itemized_at is None:
            transaction.on_commit(lambda: _itemize_later(row.pk))
    return row


def _itemize_later(payout_id: int) -> None:
    from firmpay.payouts.tasks import payout_itemize_task

    payout_itemize_task(payout_id)


def _mark(payout: Payout, **fields) -> None:
    fields.setdefault("updated_at", timezone.now())
    Payout.objects.filter(pk=payout.pk).update(**fields)


def payout_itemize(*, payout_id: int) -> Payout:
    """Read what the payout paid out (one list call per 100 transactions), store each item
    once, link them, and mark the payout itemised when the items add up to it. Stripe
    refusing or not answering is recorded on the row (payouts_reconcile tries again)."""
    payout = Payout.objects.get(pk=payout_id)
    if payout.itemized_at is not None:
        return payout
    if not payout.automatic:
        _mark(
            payout,
            itemized_at=timezone.now(),
            itemize_error="Stripe does not itemise payouts made by hand.",
        )
        return payout
    try:
        lines = list(
            payout_balance_lines(
                stripe_account_id=payout.stripe_account_id, payout_id=payout.stripe_payout_id
            )
        )
    except AccountAccessLost:
        _mark(
            payout,
            itemized_at=timezone.now(),
            itemize_error="Firmpay no longer has access to this Stripe account.",
        )
        return payout
    except (StripeUnavailable, StripeRequestFailed) as error:
        # Recorded on the row; payouts_reconcile tries again later.
        _mark(payout, itemize_attempts=payout.itemize_attempts + 1, itemize_error=str(error)[:300])
        return payout
    return _items_store(payout=payout, lines=lines)


def _items_store(*, payout: Payout, lines: list[BalanceLine]) -> Payout:
    items = [
        PayoutItem(
            payout=payout,
            firm_id=payout.firm_id,
            stripe_balance_transaction_id=line.id,
            stripe_type=line.type,
            kind=item_kind(line),
            source_id=line.source,
            description=line.description[:500],
            amount=line.amount,
            stripe_fee=line.stripe_fee,
            firmpay_fee=line.application_fee,
            net=line.net,
        )
        for line in lines
        if line.type != "payout"  # the payout's own transaction
    ]
    with transaction.atomic():
        payout = Payout.objects.select_for_update().get(pk=payout.pk)
        PayoutItem.objects.bulk_create(items, ignore_conflicts=True)
        payout_items_link(payout=payout)
        total = sum(payout.items.values_list("net", flat=True))
        if total == payout.amount:
            _mark(payout, itemized_at=timezone.now(), itemize_error="")
        else:
            logger.warning(
                "payout %s: items add up to %s, the payout is %s",
                payout.stripe_payout_id,
                total,
                payout.amount,
            )
            _mark(
                payout,
                itemize_attempts=payout.itemize_attempts + 1,
                itemize_error=f"The items add up to {total}, the payout is {payout.amount}.",
            )
    payout.refresh_from_db()
    return payout


# Where a balance transaction's source (charge, refund, dispute) names a payment of ours:
# (model, its Stripe id field, the field holding the payment's id).
PAYMENT_BY_STRIPE_ID = (
    (OnlinePayment, "charge_id", "id"),
    (PaymentRefund, "stripe_refund_id", "payment_id"),
    (PaymentDispute, "stripe_dispute_id", "payment_id"),
)


def payout_items_link(*, payout: Payout) -> int:
    """Link unlinked items to the firm's payments by Stripe id (set-based: one query per
    kind of source). Items whose payment Firmpay has not recorded yet stay unlinked until a
    later run. Returns how many were linked."""
    unlinked = list(payout.items.filter(online_payment__isnull=True).exclude(source_id=""))
    if not unlinked:
        return 0
    sources = {item.source_id for item in unlinked}
    by_source: dict[str, int] = {}
    for model, stripe_id, payment_id in PAYMENT_BY_STRIPE_ID:
        found = model.objects.filter(
            firm_id=payout.firm_id, **{f"{stripe_id}__in": sources, f"{payment_id}__isnull": False}
        )
        by_source.update(found.values_list(stripe_id, payment_id))
    linked = []
    for item in unlinked:
        if item.source_id in by_source:
            item.online_payment_id = by_source[item.source_id]
            linked.append(item)
    PayoutItem.objects.bulk_update(linked, ["online_payment"])
    return len(linked)


def payouts_reconcile(*, now: datetime | None = None) -> dict[str, int]:
    """Periodic: itemise recent payouts not yet itemised, and link items whose payments
    arrived after the payout did."""
    now = now or timezone.now()
    due = Payout.objects.filter(
        itemized_at__isnull=True,
        itemize_attempts__lt=MAX_ITEMIZE_ATTEMPTS,
        created_at__gte=now - ITEMIZE_WINDOW,
    ).exclude(status__in=[PayoutStatus.CANCELED])
    itemized = 0
    for payout_id in due.values_list("id", flat=True)[:500]:
        if payout_itemize(payout_id=payout_id).itemized_at is not None:
            itemized += 1
    relinked = 0
    recent = Payout.objects.filter(
        created_at__gte=now - RELINK_WINDOW,
        items__online_payment__isnull=True,
        items__kind__in=[ItemKind.PAYMENT, ItemKind.REFUND, ItemKind.DISPUTE],
    ).distinct()
    for payout in recent[:500]:
        relinked += payout_items_link(payout=payout)
    return {"itemized": itemized, "relinked": relinked}
