"""Month-end bursts: payments recorded many at a time where the vendor takes batches (Xero:
up to 50 payments in one PUT /Payments), so 1,000 payments for one organisation need 20
requests, not 1,000 (Xero allows 60 a minute).

The worker that claims a due payment row also claims up to 49 more of the same connection
whose invoice and contact are already there, and sends them together with
summarizeErrors=false: each payment comes back with its own outcome, so one refused payment
fails only its own row. Before sending, the batch (its idempotency key and row ids) is
written on every row: a retry after a lost response sends exactly the same batch under the
same key, so the vendor replays its answer instead of booking twice.
"""

from __future__ import annotations

import datetime
import hashlib

from django.utils import timezone

from firmpay.accounting.models import (
    RemoteKind,
    RemoteRecord,
    SyncAction,
    SyncItem,
    SyncStatus,
)
from firmpay.accounting.providers.base import (
    AuthRevoked,
    PaymentData,
    Provider,
    ProviderError,
    RateLimitWait,
)
from firmpay.accounting.services import outcomes
from firmpay.accounting.services.outbox import CLAIM_TTL, upsert_key
from firmpay.core.money import to_decimal

CANDIDATES = 200
BUSY_WAIT = 5.0


class BatchBusy(Exception):
    """Another worker is sending this row's batch right now."""


def _ready(item: SyncItem, remotes: dict[str, RemoteRecord], upserts_done: set[str]) -> bool:
    """A payment that can go now: its invoice and contact are there, nothing to wait for."""
    return (
        not item.payload.get("after")
        and upsert_key(item.invoice_id) in upserts_done
        and f"invoice:{item.invoice_id}" in remotes
        and f"client:{item.invoice.client_id}" in remotes
        and f"payment:{item.payment_key}" not in remotes
    )


def _remotes(connection, items: list[SyncItem]) -> dict[str, RemoteRecord]:
    keys = set()
    for item in items:
        keys |= {
            f"invoice:{item.invoice_id}",
            f"client:{item.invoice.client_id}",
            f"payment:{item.payment_key}",
        }
    rows = RemoteRecord.objects.filter(connection=connection, local_key__in=keys)
    return {row.local_key: row for row in rows}


def _upserts_done(connection, items: list[SyncItem]) -> set[str]:
    keys = {upsert_key(item.invoice_id) for item in items}
    return set(
        SyncItem.objects.filter(
            connection=connection, key__in=keys, status=SyncStatus.DONE
        ).values_list("key", flat=True)
    )


def _claim_more(leader: SyncItem, size: int) -> list[SyncItem]:
    """Claim up to `size` more due payment rows of the leader's connection (each with a
    conditional UPDATE, so no other worker holds them too)."""
    now = timezone.now()
    saved = leader.payload.get("batch_ids")
    if saved:
        ids = [pk for pk in saved if pk != leader.pk]
        if SyncItem.objects.filter(pk__in=ids, status=SyncStatus.RUNNING).exists():
            raise BatchBusy()
    else:
        ids = list(
            SyncItem.objects.filter(
                connection_id=leader.connection_id,
                action=SyncAction.PAYMENT_RECORD,
                status=SyncStatus.PENDING,
                next_attempt_at__lte=now,
            )
            .exclude(pk=leader.pk)
            .exclude(payload__has_key="batch_ids")
            .order_by("id")
            .values_list("pk", flat=True)[:CANDIDATES]
        )
    claimed = []
    for pk in ids:
        if len(claimed) >= size:
            break
        if SyncItem.objects.filter(
            pk=pk, status=SyncStatus.PENDING, next_attempt_at__lte=now
        ).update(status=SyncStatus.RUNNING, claimed_until=now + CLAIM_TTL):
            claimed.append(pk)
    return list(
        SyncItem.objects.select_related("invoice", "invoice__client")
        .filter(pk__in=claimed)
        .order_by("id")
    )


def _release(items: list[SyncItem]) -> None:
    SyncItem.objects.filter(pk__in=[item.pk for item in items]).update(
        status=SyncStatus.PENDING, claimed_until=None
    )


def _batch_key(leader: SyncItem, ids: list[int]) -> str:
    saved = leader.payload.get("batch_key")
    if saved and sorted(leader.payload.get("batch_ids", [])) == sorted(ids):
        return saved  # the same batch again: the same key, so a lost answer is replayed
    digest = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:10]
    # The leader's prefix carries its wire round: after a rejection the batch is new.
    return f"{leader.idempotency_prefix}-b{digest}"


def _pin(items: list[SyncItem], key: str) -> None:
    ids = [item.pk for item in items]
    for item in items:
        if item.payload.get("batch_key") != key:
            item.payload = {**item.payload, "batch_key": key, "batch_ids": ids}
            SyncItem.objects.filter(pk=item.pk).update(payload=item.payload)


def _unpin(item: SyncItem) -> None:
    payload = {k: v for k, v in item.payload.items() if k not in ("batch_key", "batch_ids")}
    item.payload = payload
    SyncItem.objects.filter(pk=item.pk).update(payload=payload)


def _payment_data(item: SyncItem, remotes, account) -> PaymentData:
    payload = item.payload
    return PaymentData(
        invoice_id=remotes[f"invoice:{item.invoice_id}"].remote_id,
        contact_id=remotes[f"client:{item.invoice.client_id}"].remote_id,
        account=account,
        amount=to_decimal(int(payload["amount"]), payload["currency"]),
        currency=payload["currency"],
        paid_on=datetime.date.fromisoformat(payload["paid_on"]),
        reference=payload.get("reference", ""),
    )


def payment_batch_process(leader: SyncItem, connection, provider: Provider, ctx, *, single) -> str:
    """Send the leader and what joined it as one request; returns the leader's outcome.
    A leader that cannot go in a batch (waiting for its invoice, say) goes to `single`."""
    try:
        others = _claim_more(leader, provider.payment_batch - 1)
    except BatchBusy:
        return outcomes.retry_later(leader, seconds=BUSY_WAIT, counted=False)
    group = [leader, *others]
    remotes = _remotes(connection, group)
    done = _upserts_done(connection, group)
    ready = [item for item in group if _ready(item, remotes, done)]
    if leader not in ready:
        _release(others)
        return single(leader, connection, provider, ctx)
    _release([item for item in others if item not in ready])
    key = _batch_key(leader, [item.pk for item in ready])
    _pin(ready, key)
    ctx.key_prefix = key
    account, booked_to = outcomes.payment_account(connection)
    for item in ready:  # before sending: a lost answer is replayed, to the same account
        outcomes.booked_to_note(item, booked_to)
    data = [_payment_data(item, remotes, account) for item in ready]
    try:
        results = provider.payments_create(ctx=ctx, payments=data)
    except RateLimitWait as wait:
        waits = [outcomes.retry_later(i, seconds=wait.seconds, counted=False) for i in ready]
        return waits[0]
    except AuthRevoked:
        return [outcomes.finish(i, status=SyncStatus.BLOCKED) for i in ready][0]
    except ProviderError as error:
        if not error.retriable:
            for item in ready:
                _unpin(item)
        return [outcomes.failed_attempt(i, connection, error, provider=provider) for i in ready][0]
    done_or_failed = []
    for item, result in zip(ready, results, strict=True):
        _unpin(item)
        if isinstance(result, ProviderError):
            done_or_failed.append(
                outcomes.failed_attempt(item, connection, result, provider=provider)
            )
            continue
        outcomes.remember(
            connection, kind=RemoteKind.PAYMENT, local_key=f"payment:{item.payment_key}", ref=result
        )
        done_or_failed.append(outcomes.finish(item, status=SyncStatus.DONE, counted=True))
    return done_or_failed[0]
