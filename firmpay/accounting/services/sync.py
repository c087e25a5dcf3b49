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

from django.utils import timezone

from firmpay.accounting.models import (
    ConnectionStatus,
    RemoteKind,
    RemoteRecord,
    SyncAction,
    SyncItem,
    SyncStatus,
)
from firmpay.accounting.providers import provider_for
from firmpay.accounting.providers.base import (
    AuthRevoked,
    ContactData,
    InvoiceData,
    InvoiceLineData,
    NameTaken,
    PaymentData,
    Provider,
    ProviderError,
    RateLimitWait,
    RemoteRef,
    UnexpectedAnswer,
)
from firmpay.accounting.services.batch import payment_batch_process
from firmpay.accounting.services.matching import (
    client_reference,
    contact_match,
    distinct_name,
    invoice_match,
    name_taken_conflict,
)
from firmpay.accounting.services.outbox import (
    CLAIM_TTL,
    record_key,
    upsert_key,
)
from firmpay.accounting.services.outcomes import (
    account,
    api_context,
    booked_to_note,
    failed_attempt,
    finish,
    payment_account,
    remember,
    retry_later,
)
from firmpay.accounting.services.outcomes import (
    remote as remote_of,
)
from firmpay.core.money import to_decimal

logger = logging.getLogger(__name__)
DEPENDENCY_WAIT = 5.0
# A row waiting for another looks again about this long after that row's own next attempt,
# and never sooner than this (a backlog of due rows must not make the waiting one spin).
FOLLOW_AFTER = 1.0


def wait_behind(row: SyncItem, *, at_most: float) -> float:
    """Seconds a row waiting for `row` waits: just past `row`'s next attempt (a row the rate
    limit put off by a second is followed a second later, not `at_most` later)."""
    if row.next_attempt_at is None:
        return at_most
    ahead = (row.next_attempt_at - timezone.now()).total_seconds()
    return min(at_most, max(FOLLOW_AFTER, ahead + FOLLOW_AFTER / 2))


class Deferred(Exception):
    """Not now (another row must finish first); no attempt is counted. `shown` reasons are
    kept on the row for the firm to read."""

    shown = False

    def __init__(self, seconds: float, reason: str):
        super().__init__(reason)
        self.seconds = seconds


def _wait_note(wait: Exception) -> str:
    return str(wait) if getattr(wait, "shown", False) else ""


class Skipped(Exception):
    """Nothing to do there (e.g. voiding an invoice that never reached the vendor)."""


class ProviderErrorDependency(ProviderError):
    """The row this one depends on gave up: fail too (Retry now retries both)."""

    retriable = False


class ProviderErrorSetup(ProviderError):
    """The connection's settings are incomplete for this row (e.g. no tax mapping)."""

    retriable = False


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
        return finish(item, status=SyncStatus.CANCELLED, error="disconnected")
    if connection.status != ConnectionStatus.CONNECTED:
        return finish(item, status=SyncStatus.BLOCKED)
    provider = provider_for(connection.vendor)
    if item.action == SyncAction.PAYMENT_RECORD and provider.payment_batch > 1:
        return _guarded(item, connection, provider, _batched)
    return single(item, connection, provider)


def _batched(item, connection, provider) -> str:
    ctx = api_context(connection, provider, key_prefix=item.idempotency_prefix)
    return payment_batch_process(item, connection, provider, ctx, single=single)


def _guarded(item, connection, provider, process) -> str:
    """Run `process`; whatever escapes it fails the row (counted), never leaves it running."""
    try:
        return process(item, connection, provider)
    except (RateLimitWait, Deferred) as wait:
        return retry_later(item, seconds=wait.seconds, counted=False, error=_wait_note(wait))
    except AuthRevoked:
        return finish(item, status=SyncStatus.BLOCKED)
    except ProviderError as error:
        return failed_attempt(item, connection, error, provider=provider)
    except Exception as exc:  # noqa: BLE001 - a row is never left running
        logger.exception("accounting sync row %s failed unexpectedly", item.pk)
        error = UnexpectedAnswer(f"Unexpected problem while syncing ({type(exc).__name__}).")
        return failed_attempt(item, connection, error, provider=provider)


def single(item: SyncItem, connection, provider: Provider, ctx=None) -> str:
    """One row, one handler."""
    try:
        ctx = ctx or api_context(connection, provider, key_prefix=item.idempotency_prefix)
        ctx.key_prefix = item.idempotency_prefix
        HANDLERS[item.action](item, connection, provider, ctx)
    except Skipped as skip:
        return finish(item, status=SyncStatus.DONE, counted=True, note=str(skip))
    except (RateLimitWait, Deferred) as wait:
        return retry_later(item, seconds=wait.seconds, counted=False, error=_wait_note(wait))
    except AuthRevoked:
        return finish(item, status=SyncStatus.BLOCKED)
    except ProviderError as error:
        return failed_attempt(item, connection, error, provider=provider)
    except Exception as exc:  # noqa: BLE001 - a row is never left running
        logger.exception("accounting sync row %s failed unexpectedly", item.pk)
        error = UnexpectedAnswer(f"Unexpected problem while syncing ({type(exc).__name__}).")
        return failed_attempt(item, connection, error, provider=provider)
    return finish(item, status=SyncStatus.DONE, counted=True)


def _wait_for(connection, key: str, what: str) -> SyncItem | None:
    """The row `key` must be done first: Deferred while it runs, Skipped if it gave up."""
    dependency = SyncItem.objects.filter(connection=connection, key=key).first()
    if dependency is None or dependency.status == SyncStatus.DONE:
        return dependency
    if dependency.status in (SyncStatus.FAILED, SyncStatus.CANCELLED):
        raise ProviderErrorDependency(f"{what} did not sync: retry it first")
    raise Deferred(wait_behind(dependency, at_most=DEPENDENCY_WAIT), f"waiting for {what}")


# --- handlers, one per action ------------------------------------------------------------


def _contact(item, connection, provider: Provider, ctx) -> RemoteRecord:
    """The client's contact there: linked when it exists, created when it does not."""
    client = item.invoice.client
    local_key = f"client:{client.pk}"
    existing = remote_of(connection, local_key)
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
    return remember(connection, kind=RemoteKind.CONTACT, local_key=local_key, ref=ref)


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
    if remote_of(connection, f"invoice:{invoice.pk}") is not None:
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
        remember(connection, kind=RemoteKind.INVOICE, local_key=f"invoice:{invoice.pk}", ref=ref)
        return
    data = InvoiceData(
        number=number,
        currency=currency,
        issue_date=invoice.issue_date,
        due_date=invoice.due_date,
        contact_id=contact.remote_id,
        income_account=account(connection, "income"),
        lines=lines,
        total=total,
        reference=f"Firmpay {invoice.number}",
    )
    ref = provider.invoice_create(ctx=ctx, invoice=data)
    remember(connection, kind=RemoteKind.INVOICE, local_key=f"invoice:{invoice.pk}", ref=ref)


def handle_invoice_void(item, connection, provider: Provider, ctx) -> None:
    _wait_for(connection, upsert_key(item.invoice_id), "the invoice")
    remote = remote_of(connection, f"invoice:{item.invoice_id}")
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
    if remote_of(connection, local_key) is not None:
        return
    invoice = remote_of(connection, f"invoice:{item.invoice_id}")
    contact = remote_of(connection, f"client:{item.invoice.client_id}")
    if invoice is None or contact is None:
        raise ProviderErrorDependency("the invoice is not in the accounting system")
    payload = item.payload
    into, booked_to = payment_account(connection)
    data = PaymentData(
        invoice_id=invoice.remote_id,
        contact_id=contact.remote_id,
        account=into,
        amount=to_decimal(int(payload["amount"]), payload["currency"]),
        currency=payload["currency"],
        paid_on=datetime.date.fromisoformat(payload["paid_on"]),
        reference=payload.get("reference", ""),
    )
    booked_to_note(item, booked_to)  # before sending: a lost answer is replayed, same account
    ref = provider.payment_create(ctx=ctx, payment=data)
    remember(connection, kind=RemoteKind.PAYMENT, local_key=local_key, ref=ref)


def handle_payment_reverse(item, connection, provider: Provider, ctx) -> None:
    _wait_for(connection, record_key(item.payment_key), "the payment")
    remote = remote_of(connection, f"payment:{item.payment_key}")
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
