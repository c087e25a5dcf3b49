"""Processing one outbox row: claim it, call the vendor through the provider interface,
then record the outcome (done, retry with backoff, failed, or waiting for reconnection).

Multi-step actions (contact, then invoice) store each remote record as soon as it exists,
so a retry resumes where the last attempt stopped; every write carries an idempotency key
derived from the row id and the step, so a retry after a lost response books nothing twice.
"""

from __future__ import annotations

import datetime
import logging
import re

from django.db import IntegrityError, transaction
from django.utils import timezone

from firmpay.accounting.models import (
    AccountingConnection,
    ConnectionStatus,
    RemoteKind,
    RemoteRecord,
    SyncAction,
    SyncItem,
    SyncStatus,
)
from firmpay.accounting.providers import provider_for
from firmpay.accounting.providers.base import (
    ApiContext,
    AuthRevoked,
    ContactData,
    InvoiceData,
    InvoiceLineData,
    LedgerAccount,
    NameTaken,
    PaymentData,
    Provider,
    ProviderError,
    RateLimited,
    RateLimitWait,
    RemoteRef,
    UnexpectedAnswer,
)
from firmpay.accounting.ratelimit import provider_gate, rate_gate_pause
from firmpay.accounting.services.matching import (
    ContactConflict,
    client_reference,
    contact_match,
    distinct_name,
    invoice_match,
    name_taken_conflict,
)
from firmpay.accounting.services.outbox import (
    CLAIM_TTL,
    record_key,
    sync_item_kick,
    upsert_key,
)
from firmpay.accounting.services.tokens import connection_access_token, connection_token_expire
from firmpay.core.money import to_decimal

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
BACKOFF_BASE = datetime.timedelta(seconds=30)
BACKOFF_CAP = datetime.timedelta(hours=1)
DEPENDENCY_WAIT = 5.0


class Deferred(Exception):
    """Not now (another row must finish first); no attempt is counted."""

    def __init__(self, seconds: float, reason: str):
        super().__init__(reason)
        self.seconds = seconds


class Skipped(Exception):
    """Nothing to do there (e.g. voiding an invoice that never reached the vendor)."""


class ProviderErrorDependency(ProviderError):
    """The row this one depends on gave up: fail too (Retry now retries both)."""

    retriable = False


class ProviderErrorSetup(ProviderError):
    """The connection's settings are incomplete for this row (e.g. no tax mapping)."""

    retriable = False


def backoff(attempts: int, retry_after: float | None) -> float:
    seconds = min(
        BACKOFF_BASE.total_seconds() * 2 ** max(attempts - 1, 0), BACKOFF_CAP.total_seconds()
    )
    return max(seconds, retry_after or 0)


def _claim(item_id: int) -> SyncItem | None:
    now = timezone.now()
    claimed = SyncItem.objects.filter(
        pk=item_id, status=SyncStatus.PENDING, next_attempt_at__lte=now
    ).update(status=SyncStatus.RUNNING, claimed_until=now + CLAIM_TTL)
    if not claimed:
        return None
    return SyncItem.objects.select_related("connection", "invoice", "invoice__client").get(
        pk=item_id
    )


def sync_item_process(*, item_id: int) -> str:
    """Process one due row; returns what happened (for logs and tests)."""
    item = _claim(item_id)
    if item is None:
        return "not due"
    connection = item.connection
    if connection.status == ConnectionStatus.DISCONNECTED:
        return _finish(item, status=SyncStatus.CANCELLED, error="disconnected")
    if connection.status != ConnectionStatus.CONNECTED:
        return _finish(item, status=SyncStatus.BLOCKED)
    provider = provider_for(connection.vendor)
    try:
        ctx = api_context(connection, provider, key_prefix=item.idempotency_prefix)
        HANDLERS[item.action](item, connection, provider, ctx)
    except Skipped as skip:
        return _finish(item, status=SyncStatus.DONE, counted=True, note=str(skip))
    except (RateLimitWait, Deferred) as wait:
        return _retry_later(item, seconds=wait.seconds, counted=False)
    except AuthRevoked:
        return _finish(item, status=SyncStatus.BLOCKED)
    except ProviderError as error:
        return _failed_attempt(item, connection, error, provider=provider)
    except Exception as exc:  # noqa: BLE001 - a row is never left running
        logger.exception("accounting sync row %s failed unexpectedly", item.pk)
        error = UnexpectedAnswer(f"Unexpected problem while syncing ({type(exc).__name__}).")
        return _failed_attempt(item, connection, error, provider=provider)
    return _finish(item, status=SyncStatus.DONE, counted=True)


def api_context(connection, provider: Provider, *, key_prefix: str = "") -> ApiContext:
    return ApiContext(
        access_token=connection_access_token(connection=connection),
        org_id=connection.org_id,
        gate=provider_gate(provider, connection.rate_key),
        key_prefix=key_prefix,
    )


# --- outcomes ----------------------------------------------------------------------------


def _finish(item: SyncItem, *, status: str, counted: bool = False, error: str = "", note=""):
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


def _retry_later(item: SyncItem, *, seconds: float, counted: bool, error: str = "") -> str:
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


def _failed_attempt(
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
        _conflict_store(item, error)
    if error.status == 401:
        connection_token_expire(connection=connection)
    retriable = error.retriable or error.status == 401
    attempts = item.attempts + 1
    if retriable and attempts < MAX_ATTEMPTS:
        return _retry_later(
            item, seconds=backoff(attempts, error.retry_after), counted=True, error=error.message
        )
    if not retriable:
        SyncItem.objects.filter(pk=item.pk).update(wire_round=item.wire_round + 1)
    return _finish(item, status=SyncStatus.FAILED, counted=True, error=error.message)


def _conflict_store(item: SyncItem, conflict: ContactConflict) -> None:
    holder = conflict.holder
    payload = dict(item.payload)
    payload["conflict"] = (
        {"id": holder.id, "name": holder.name, "email": holder.email} if holder else {}
    )
    payload.pop("distinct", None)
    SyncItem.objects.filter(pk=item.pk).update(payload=payload)
    item.payload = payload


# --- remote records ----------------------------------------------------------------------


def _remote(connection, local_key: str) -> RemoteRecord | None:
    return RemoteRecord.objects.filter(connection=connection, local_key=local_key).first()


def _remember(connection, *, kind: str, local_key: str, ref) -> RemoteRecord:
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


def _account(connection, which: str) -> LedgerAccount:
    return LedgerAccount(
        id=getattr(connection, f"{which}_account_id"),
        code=getattr(connection, f"{which}_account_code"),
        name=getattr(connection, f"{which}_account_name"),
        kind="bank" if which == "payment" else "income",
    )


def _wait_for(connection, key: str, what: str) -> SyncItem | None:
    """The row `key` must be done first: Deferred while it runs, Skipped if it gave up."""
    dependency = SyncItem.objects.filter(connection=connection, key=key).first()
    if dependency is None or dependency.status == SyncStatus.DONE:
        return dependency
    if dependency.status in (SyncStatus.FAILED, SyncStatus.CANCELLED):
        raise ProviderErrorDependency(f"{what} did not sync: retry it first")
    raise Deferred(DEPENDENCY_WAIT, f"waiting for {what}")


# --- handlers, one per action ------------------------------------------------------------


def _contact(item, connection, provider: Provider, ctx) -> RemoteRecord:
    """The client's contact there: linked when it exists, created when it does not."""
    client = item.invoice.client
    local_key = f"client:{client.pk}"
    existing = _remote(connection, local_key)
    if existing is not None:
        return existing
    distinct = bool(item.payload.get("distinct"))
    data = ContactData(
        name=distinct_name(client) if distinct else client.name,
        email=client.email,
        address_lines=tuple(client.address_lines),
        number=client_reference(client),
    )
    found = None if distinct else contact_match(provider=provider, ctx=ctx, contact=data)
    if found is not None:
        ref = RemoteRef(id=found.id)
    else:
        try:
            ref = provider.contact_create(ctx=ctx, contact=data)
        except NameTaken as taken:
            raise name_taken_conflict(
                provider=provider, contact=data, message=taken.message
            ) from taken
    return _remember(connection, kind=RemoteKind.CONTACT, local_key=local_key, ref=ref)


def ledger_number(connection, invoice) -> str:
    """The number there: the connection's prefix and Firmpay's sequence (FP-0001)."""
    if not connection.invoice_prefix:
        return invoice.number
    digits = re.search(r"(\d+)$", invoice.number)
    return connection.invoice_prefix + (digits.group(1) if digits else invoice.number)


def _tax_code(connection, line) -> str:
    return connection.tax_code if line.line_tax else connection.tax_code_zero


def handle_invoice_upsert(item, connection, provider: Provider, ctx) -> None:
    invoice = item.invoice
    contact = _contact(item, connection, provider, ctx)
    if _remote(connection, f"invoice:{invoice.pk}") is not None:
        return
    currency = invoice.currency
    lines = tuple(
        InvoiceLineData(
            description=line.description,
            quantity=line.quantity,
            unit_amount=to_decimal(line.unit_amount, currency),
            line_amount=to_decimal(line.line_subtotal, currency),
            tax_amount=to_decimal(line.line_tax, currency),
            tax_code=_tax_code(connection, line),
        )
        for line in invoice.lines.all()
    )
    if provider.needs_tax_codes(country=connection.country) and not all(
        line.tax_code for line in lines
    ):
        raise ProviderErrorSetup(
            f"{provider.name} needs a tax code on every line: choose the tax mapping in "
            "Settings → Integrations."
        )
    number = ledger_number(connection, invoice)
    total = to_decimal(invoice.total, currency)
    found = invoice_match(
        provider=provider, ctx=ctx, number=number, contact_id=contact.remote_id, total=total
    )
    if found is not None:  # a re-sync after data loss: the invoice is already there
        ref = RemoteRef(id=found.id, url=found.url)
        _remember(connection, kind=RemoteKind.INVOICE, local_key=f"invoice:{invoice.pk}", ref=ref)
        return
    data = InvoiceData(
        number=number,
        currency=currency,
        issue_date=invoice.issue_date,
        due_date=invoice.due_date,
        contact_id=contact.remote_id,
        income_account=_account(connection, "income"),
        lines=lines,
        total=total,
        reference=f"Firmpay {invoice.number}",
    )
    ref = provider.invoice_create(ctx=ctx, invoice=data)
    _remember(connection, kind=RemoteKind.INVOICE, local_key=f"invoice:{invoice.pk}", ref=ref)


def handle_invoice_void(item, connection, provider: Provider, ctx) -> None:
    _wait_for(connection, upsert_key(item.invoice_id), "the invoice")
    remote = _remote(connection, f"invoice:{item.invoice_id}")
    if remote is None:
        raise Skipped("the invoice never reached the accounting system")
    if remote.voided_at is None:
        provider.invoice_void(ctx=ctx, invoice_id=remote.remote_id)
        RemoteRecord.objects.filter(pk=remote.pk).update(voided_at=timezone.now())


def handle_payment_record(item, connection, provider: Provider, ctx) -> None:
    _wait_for(connection, upsert_key(item.invoice_id), "the invoice")
    if item.payload.get("after"):
        _wait_for(connection, item.payload["after"], "the reversal of the payment it replaces")
    local_key = f"payment:{item.payment_key}"
    if _remote(connection, local_key) is not None:
        return
    invoice = _remote(connection, f"invoice:{item.invoice_id}")
    contact = _remote(connection, f"client:{item.invoice.client_id}")
    if invoice is None or contact is None:
        raise ProviderErrorDependency("the invoice is not in the accounting system")
    payload = item.payload
    data = PaymentData(
        invoice_id=invoice.remote_id,
        contact_id=contact.remote_id,
        account=_account(connection, "payment"),
        amount=to_decimal(int(payload["amount"]), payload["currency"]),
        currency=payload["currency"],
        paid_on=datetime.date.fromisoformat(payload["paid_on"]),
        reference=payload.get("reference", ""),
    )
    ref = provider.payment_create(ctx=ctx, payment=data)
    _remember(connection, kind=RemoteKind.PAYMENT, local_key=local_key, ref=ref)


def handle_payment_reverse(item, connection, provider: Provider, ctx) -> None:
    _wait_for(connection, record_key(item.payment_key), "the payment")
    remote = _remote(connection, f"payment:{item.payment_key}")
    if remote is None:
        raise Skipped("the payment never reached the accounting system")
    if remote.reversed_at is None:
        provider.payment_reverse(ctx=ctx, payment_id=remote.remote_id)
        RemoteRecord.objects.filter(pk=remote.pk).update(reversed_at=timezone.now())


HANDLERS = {
    SyncAction.INVOICE_UPSERT: handle_invoice_upsert,
    SyncAction.INVOICE_VOID: handle_invoice_void,
    SyncAction.PAYMENT_RECORD: handle_payment_record,
    SyncAction.PAYMENT_REVERSE: handle_payment_reverse,
}
