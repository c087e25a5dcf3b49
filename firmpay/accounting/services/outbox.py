"""The sync outbox: entry points that write one row per action (unique business key) in the
caller's transaction and kick the worker after commit; retry and the sweeper."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from firmpay.accounting.models import (
    LIVE_STATUSES,
    AccountingConnection,
    ConnectionStatus,
    SyncAction,
    SyncItem,
    SyncStatus,
)

CLAIM_TTL = datetime.timedelta(minutes=5)
SWEEP_LIMIT = 500


def upsert_key(invoice_id: int) -> str:
    # v1: a sent invoice no longer changes; a later edit feature bumps the version.
    return f"invoice:{invoice_id}:upsert:v1"


def void_key(invoice_id: int) -> str:
    return f"invoice:{invoice_id}:void"


def record_key(payment_key: str) -> str:
    return f"payment:{payment_key}:record"


def reverse_key(payment_key: str) -> str:
    return f"payment:{payment_key}:reverse"


def sync_item_kick(item_id: int, *, delay: float = 0) -> None:
    """Ask a worker to process the row: after the current transaction commits."""
    from firmpay.accounting.tasks import sync_item_process_task

    if delay > 0:
        transaction.on_commit(
            lambda: sync_item_process_task.schedule((item_id,), delay=max(1, round(delay)))
        )
    else:
        transaction.on_commit(lambda: sync_item_process_task(item_id))


def _live_connection(firm_id: int) -> AccountingConnection | None:
    return AccountingConnection.objects.filter(firm_id=firm_id, status__in=LIVE_STATUSES).first()


def sync_item_enqueue(
    *,
    connection: AccountingConnection,
    key: str,
    action: str,
    invoice=None,
    payment_key: str = "",
    payload: dict | None = None,
) -> SyncItem:
    """The row for `key`, created once (the database keeps keys unique); kicked when new."""
    ready = connection.status == ConnectionStatus.CONNECTED
    SyncItem.objects.bulk_create(
        [
            SyncItem(
                firm_id=connection.firm_id,
                connection=connection,
                key=key,
                action=action,
                invoice=invoice,
                payment_key=payment_key,
                payload=payload or {},
                status=SyncStatus.PENDING if ready else SyncStatus.BLOCKED,
                next_attempt_at=timezone.now(),
            )
        ],
        ignore_conflicts=True,
    )
    item = SyncItem.objects.get(connection=connection, key=key)
    if item.status == SyncStatus.PENDING and item.attempts == 0:
        sync_item_kick(item.pk)
    return item


def _check_firm(firm, invoice) -> None:
    if invoice.firm_id != firm.pk:
        raise ValueError("the invoice belongs to another firm")


def accounting_on_invoice_sent(*, invoice) -> SyncItem | None:
    """Create (or find) the client's contact/customer and the invoice there."""
    connection = _live_connection(invoice.firm_id)
    if connection is None:
        return None
    return sync_item_enqueue(
        connection=connection,
        key=upsert_key(invoice.pk),
        action=SyncAction.INVOICE_UPSERT,
        invoice=invoice,
    )


def accounting_on_invoice_voided(*, invoice) -> SyncItem | None:
    """Void it there too, if it was ever sent there."""
    connection = _live_connection(invoice.firm_id)
    if connection is None:
        return None
    if not SyncItem.objects.filter(connection=connection, key=upsert_key(invoice.pk)).exists():
        return None
    return sync_item_enqueue(
        connection=connection,
        key=void_key(invoice.pk),
        action=SyncAction.INVOICE_VOID,
        invoice=invoice,
    )


def accounting_on_payment_succeeded(
    *,
    firm,
    invoice,
    payment_key: str,
    amount: int,
    currency: str,
    paid_on: datetime.date,
    reference: str = "",
    replaces: str = "",
) -> SyncItem | None:
    """Record the payment against the invoice there, once. `payment_key` names the payment
    for good (`manual:{id}`, `online:{id}`); `amount` is in minor units of `currency`.
    `replaces`: the key of a payment reversed in the same transaction (a partial refund
    books the remainder anew); this one waits for that reversal, so the invoice there is
    never paid twice over."""
    _check_firm(firm, invoice)
    if type(amount) is not int or amount <= 0:
        raise ValueError("amount is a positive int in minor units")
    connection = _live_connection(firm.pk)
    if connection is None:
        return None
    # An invoice sent before the firm connected goes there first.
    accounting_on_invoice_sent(invoice=invoice)
    return sync_item_enqueue(
        connection=connection,
        key=record_key(payment_key),
        action=SyncAction.PAYMENT_RECORD,
        invoice=invoice,
        payment_key=payment_key,
        payload={
            "amount": amount,
            "currency": currency,
            "paid_on": paid_on.isoformat(),
            "reference": reference[:200],
            **({"after": reverse_key(replaces)} if replaces else {}),
        },
    )


def accounting_on_payments_succeeded(*, bookings: list[dict]) -> None:
    """`accounting_on_payment_succeeded` for each booking, asking once which of their firms
    have a live connection (most firms of a batch of automatic charges have none)."""
    connected = set(
        AccountingConnection.objects.filter(
            firm_id__in={booking["firm"].pk for booking in bookings}, status__in=LIVE_STATUSES
        ).values_list("firm_id", flat=True)
    )
    for booking in bookings:
        if booking["firm"].pk in connected:
            accounting_on_payment_succeeded(**booking)


def accounting_on_payment_reversed(
    *, firm, invoice, payment_key: str, reason: str = ""
) -> SyncItem | None:
    """The payment was refunded or its debit returned: reverse it there (when it was
    recorded there; a payment never synced needs nothing)."""
    _check_firm(firm, invoice)
    connection = _live_connection(firm.pk)
    if connection is None:
        return None
    if not SyncItem.objects.filter(connection=connection, key=record_key(payment_key)).exists():
        return None
    return sync_item_enqueue(
        connection=connection,
        key=reverse_key(payment_key),
        action=SyncAction.PAYMENT_REVERSE,
        invoice=invoice,
        payment_key=payment_key,
        payload={"reason": reason[:200]},
    )


def sync_items_retry(*, firm, invoice=None, actor=None) -> int:
    """ "Retry now": failed rows (of one invoice, or all the firm's) go back in the queue,
    due at once. Rows waiting for a reconnection stay waiting."""
    now = timezone.now()
    with transaction.atomic():
        rows = SyncItem.objects.filter(
            firm=firm,
            status__in=[SyncStatus.FAILED, SyncStatus.PENDING],
            connection__status=ConnectionStatus.CONNECTED,
        )
        if invoice is not None:
            rows = rows.filter(invoice=invoice)
        ids = list(rows.values_list("pk", flat=True))
        SyncItem.objects.filter(pk__in=ids).update(
            status=SyncStatus.PENDING, next_attempt_at=now, attempts=0
        )
        for item_id in ids:
            sync_item_kick(item_id)
    return len(ids)


def connection_backlog_release(*, connection: AccountingConnection) -> int:
    """After (re)connecting: rows that waited for the connection are due now."""
    ids = list(
        SyncItem.objects.filter(connection=connection, status=SyncStatus.BLOCKED).values_list(
            "pk", flat=True
        )
    )
    SyncItem.objects.filter(pk__in=ids).update(
        status=SyncStatus.PENDING, next_attempt_at=timezone.now()
    )
    for item_id in ids:
        sync_item_kick(item_id)
    return len(ids)


def sync_items_sweep(*, limit: int = SWEEP_LIMIT) -> int:
    """Periodic: rows whose worker died go back to pending; rows due get a kick."""
    now = timezone.now()
    SyncItem.objects.filter(status=SyncStatus.RUNNING, claimed_until__lt=now).update(
        status=SyncStatus.PENDING, claimed_until=None, next_attempt_at=now
    )
    ids = list(
        SyncItem.objects.filter(
            status=SyncStatus.PENDING,
            next_attempt_at__lte=now,
            connection__status=ConnectionStatus.CONNECTED,
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    for item_id in ids:
        sync_item_kick(item_id)
    return len(ids)


def contact_conflict_resolve(*, firm, invoice, choice: str, actor=None) -> SyncItem | None:
    """The firm's answer when a different contact holds the client's name there: "link"
    makes that contact the client's (no new one is created), "distinct" creates a contact
    of its own named "<name> (FIRMPAY-<id>)". Then the invoice syncs again at once."""
    from firmpay.accounting.models import RemoteKind, RemoteRecord
    from firmpay.core.audit import audit_record_create

    if choice not in ("link", "distinct"):
        raise ValueError("choice is link or distinct")
    with transaction.atomic():
        item = (
            SyncItem.objects.select_for_update()
            .filter(firm=firm, invoice=invoice, action=SyncAction.INVOICE_UPSERT)
            .filter(payload__has_key="conflict", status=SyncStatus.FAILED)
            .first()
        )
        if item is None:
            return None
        holder = item.payload.get("conflict") or {}
        payload = {k: v for k, v in item.payload.items() if k != "conflict"}
        if choice == "link":
            if not holder.get("id"):
                raise ValueError("no contact to link: create a distinct one")
            RemoteRecord.objects.get_or_create(
                connection=item.connection,
                local_key=f"client:{invoice.client_id}",
                defaults={
                    "firm_id": firm.pk,
                    "kind": RemoteKind.CONTACT,
                    "remote_id": holder["id"],
                },
            )
        else:
            payload["distinct"] = True
        item.payload = payload
        item.status, item.attempts = SyncStatus.PENDING, 0
        item.next_attempt_at, item.last_error = timezone.now(), ""
        item.save(update_fields=["payload", "status", "attempts", "next_attempt_at", "last_error"])
        audit_record_create(
            action=f"accounting.contact_{choice}",
            firm=firm,
            actor=actor,
            target=item.connection,
            detail={"client": invoice.client_id, "contact": holder},
        )
        sync_item_kick(item.pk)
    return item
