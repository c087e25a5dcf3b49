"""The outcomes of one sync attempt, shared by single rows (sync.py) and payment batches
(batch.py): done, retry later (with or without counting an attempt), failed (shown to the
firm), and the remote records each step leaves behind."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from firmpay.accounting.models import (
    AccountingConnection,
    RemoteRecord,
    SyncItem,
    SyncStatus,
)
from firmpay.accounting.providers.base import (
    ApiContext,
    LedgerAccount,
    Provider,
    ProviderError,
    RateLimited,
)
from firmpay.accounting.ratelimit import provider_gate, rate_gate_pause
from firmpay.accounting.services.matching import ContactConflict
from firmpay.accounting.services.outbox import sync_item_kick
from firmpay.accounting.services.tokens import connection_access_token, connection_token_expire

MAX_ATTEMPTS = 8
BACKOFF_BASE = datetime.timedelta(seconds=30)
BACKOFF_CAP = datetime.timedelta(hours=1)


def backoff(attempts: int, retry_after: float | None) -> float:
    seconds = min(
        BACKOFF_BASE.total_seconds() * 2 ** max(attempts - 1, 0), BACKOFF_CAP.total_seconds()
    )
    return max(seconds, retry_after or 0)


def api_context(connection, provider: Provider, *, key_prefix: str = "") -> ApiContext:
    return ApiContext(
        access_token=connection_access_token(connection=connection),
        org_id=connection.org_id,
        gate=provider_gate(provider, connection.rate_key),
        key_prefix=key_prefix,
    )


# --- outcomes ----------------------------------------------------------------------------


def finish(item: SyncItem, *, status: str, counted: bool = False, error: str = "", note=""):
    now = timezone.now()
    fields = {"status": status, "claimed_until": None}
    if counted:
        fields["attempts"] = item.attempts + 1
    if status == SyncStatus.DONE:
        fields.update(done_at=now, last_error="")
        AccountingConnection.objects.filter(pk=item.connection_id).update(
            last_synced_at=now, last_error="", last_error_at=None
        )
    elif error:
        fields.update(last_error=error[:500], last_error_at=now)
    SyncItem.objects.filter(pk=item.pk).update(**fields)
    return f"{status}{': ' + note if note else ''}"


def retry_later(item: SyncItem, *, seconds: float, counted: bool, error: str = "") -> str:
    now = timezone.now()
    fields = {
        "status": SyncStatus.PENDING,
        "claimed_until": None,
        "next_attempt_at": now + datetime.timedelta(seconds=seconds),
    }
    if counted:
        fields["attempts"] = item.attempts + 1
    if error:
        fields.update(last_error=error[:500], last_error_at=now)
    SyncItem.objects.filter(pk=item.pk).update(**fields)
    sync_item_kick(item.pk, delay=seconds)
    return f"retry in {seconds:.0f}s"


def failed_attempt(
    item: SyncItem, connection: AccountingConnection, error: ProviderError, *, provider=None
) -> str:
    if isinstance(error, RateLimited):  # being throttled is not an error to show
        seconds = error.retry_after or (provider.backoff_after_429 if provider else 60.0)
        error.retry_after = seconds
        rate_gate_pause(key=connection.rate_key, seconds=seconds)
    elif not isinstance(error, ContactConflict):  # shown on its invoice, not the card
        AccountingConnection.objects.filter(pk=connection.pk).update(
            last_error=error.message[:500], last_error_at=timezone.now()
        )
    if isinstance(error, ContactConflict):
        conflict_store(item, error)
    if error.status == 401:
        connection_token_expire(connection=connection)
    retriable = error.retriable or error.status == 401
    attempts = item.attempts + 1
    if retriable and attempts < MAX_ATTEMPTS:
        return retry_later(
            item, seconds=backoff(attempts, error.retry_after), counted=True, error=error.message
        )
    if not retriable:
        SyncItem.objects.filter(pk=item.pk).update(wire_round=item.wire_round + 1)
    return finish(item, status=SyncStatus.FAILED, counted=True, error=error.message)


def conflict_store(item: SyncItem, conflict: ContactConflict) -> None:
    holder = conflict.holder
    payload = dict(item.payload)
    payload["conflict"] = (
        {"id": holder.id, "name": holder.name, "email": holder.email} if holder else {}
    )
    payload.pop("distinct", None)
    SyncItem.objects.filter(pk=item.pk).update(payload=payload)
    item.payload = payload


# --- remote records ----------------------------------------------------------------------


def remote(connection, local_key: str) -> RemoteRecord | None:
    return RemoteRecord.objects.filter(connection=connection, local_key=local_key).first()


def remember(connection, *, kind: str, local_key: str, ref) -> RemoteRecord:
    try:
        with transaction.atomic():
            return RemoteRecord.objects.create(
                firm_id=connection.firm_id,
                connection=connection,
                kind=kind,
                local_key=local_key,
                remote_id=ref.id,
                url=ref.url,
            )
    except IntegrityError:
        return RemoteRecord.objects.get(connection=connection, local_key=local_key)


def account(connection, which: str) -> LedgerAccount:
    """One of the connection's chosen accounts: payment, income, clearing, fees, payout."""
    return LedgerAccount(
        id=getattr(connection, f"{which}_account_id"),
        code=getattr(connection, f"{which}_account_code"),
        name=getattr(connection, f"{which}_account_name"),
        kind={"income": "income", "fees": "other"}.get(which, "bank"),
    )


def payment_account(connection) -> tuple[LedgerAccount, str]:
    """Where a payment is recorded, and what to note on its row ("booked_to"): the Stripe
    clearing account while the firm books payouts, else the chosen payments account."""
    if connection.book_payouts and connection.clearing_account_id:
        return account(connection, "clearing"), "clearing"
    return account(connection, "payment"), "bank"


def booked_to_note(item: SyncItem, booked_to: str) -> None:
    """Remember on the payment's row which account it went to: a payout is booked only when
    every payment in it went to the clearing account."""
    if item.payload.get("booked_to") != booked_to:
        item.payload = {**item.payload, "booked_to": booked_to}
        SyncItem.objects.filter(pk=item.pk).update(payload=item.payload)
