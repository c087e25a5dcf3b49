"""Issuing many invoices at once (the recurring sweep): the same totals and numbering rules
as `invoice_create` + `invoice_send`, in a handful of statements instead of a dozen per
invoice.

Numbers: one upsert per chunk of firms moves each firm's counter on by the number of
invoices it gets (`INSERT ... ON CONFLICT (firm_id) DO UPDATE ... RETURNING`), which also
holds the counter rows locked until the commit, exactly like `invoice_number_allocate`, so
numbers stay gapless per firm and never collide with invoices created by hand meanwhile.
Firms are taken in id order so two bulk issues lock counters in one order.

Invoices and lines are inserted as sent (open, `sent_at` now), with COPY on PostgreSQL
(`firmpay.core.bulk.rows_insert`), executemany on SQLite (the number search index filled
in one statement: `number_search.py`). The "sent" hooks and the
emails run after the commit, per invoice, in tasks of `FOLLOWUP_CHUNK` invoices (one task
queued per bulk issue, split by the worker).
"""

import base64
import datetime
import secrets
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from firmpay.core.bulk import rows_insert
from firmpay.invoices.models import (
    Invoice,
    InvoiceLine,
    InvoiceSequence,
    InvoiceStatus,
)
from firmpay.invoices.number_search import number_search_bulk
from firmpay.invoices.services import NUMBER_PREFIX
from firmpay.invoices.totals import InvoiceAmounts, LineInput, invoice_amounts, line_amounts

FIRMS_PER_STATEMENT = 5000
FOLLOWUP_CHUNK = 500
LINK_TOKEN_BYTES = 32  # as models.new_link_token
TOKEN_CHARS = 43  # 32 bytes in base64 without its padding


@dataclass(frozen=True, slots=True)
class IssueDraft:
    """One invoice to issue: ids, not model instances, so callers need not load rows."""

    firm_id: int
    client_id: int
    currency: str
    issue_date: datetime.date
    due_date: datetime.date
    lines: tuple[LineInput, ...]
    notes: str = ""


def invoice_numbers_reserve(*, counts: dict[int, int]) -> dict[int, int]:
    """Move each firm's counter on by `counts[firm_id]`; returns each firm's first new
    number. Call inside a transaction (the counter rows stay locked until it commits)."""
    table = connection.ops.quote_name(InvoiceSequence._meta.db_table)
    firm_ids = sorted(counts)
    first: dict[int, int] = {}
    for start in range(0, len(firm_ids), FIRMS_PER_STATEMENT):
        chunk = firm_ids[start : start + FIRMS_PER_STATEMENT]
        if connection.vendor == "postgresql":  # two array parameters, not 10,000 to bind
            values = "SELECT * FROM unnest(%s::bigint[], %s::bigint[])"
            params = [chunk, [counts[firm_id] for firm_id in chunk]]
        else:
            values = "VALUES " + ", ".join(["(%s, %s)"] * len(chunk))
            params = [value for firm_id in chunk for value in (firm_id, counts[firm_id])]
        sql = (
            f"INSERT INTO {table} (firm_id, last_number) {values} "  # noqa: S608
            f"ON CONFLICT (firm_id) DO UPDATE SET last_number = "
            f"{table}.last_number + excluded.last_number RETURNING firm_id, last_number"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for firm_id, last in cursor.fetchall():
                first[firm_id] = last - counts[firm_id] + 1
    return first


@dataclass(frozen=True, slots=True)
class IssuedInvoice:
    id: int
    firm_id: int
    number: str
    total: int
    due_date: datetime.date


def _link_tokens(count: int) -> list[str]:
    """`count` link tokens like `new_link_token()` (32 random bytes, URL-safe base64) from
    one read of the system's random source instead of one per invoice."""
    raw = secrets.token_bytes(LINK_TOKEN_BYTES * count)
    encode = base64.urlsafe_b64encode
    return [
        encode(raw[start : start + LINK_TOKEN_BYTES])[:TOKEN_CHARS].decode()
        for start in range(0, len(raw), LINK_TOKEN_BYTES)
    ]


def _invoice_rows(drafts: Sequence[IssueDraft], now) -> tuple[list[dict], list[list]]:
    counts = Counter(draft.firm_id for draft in drafts)
    next_number = invoice_numbers_reserve(counts=dict(counts))
    tokens = _link_tokens(len(drafts))
    invoices, lines = [], []
    # Drafts from schedules share their lines (the same LineInput objects): the amounts
    # of each distinct set of lines are worked out once. Keyed by the objects' ids, which
    # `drafts` keeps alive for the whole call.
    worked_out: dict[tuple[int, ...], tuple[list, InvoiceAmounts]] = {}
    for draft, link_token in zip(drafts, tokens, strict=True):
        if not draft.lines:
            raise ValueError("an invoice needs at least one line")
        key = tuple(map(id, draft.lines))
        known = worked_out.get(key)
        if known is None:
            amounts = [line_amounts(line) for line in draft.lines]
            known = worked_out[key] = (amounts, invoice_amounts(amounts))
        amounts, totals = known
        number = next_number[draft.firm_id]
        next_number[draft.firm_id] = number + 1
        invoices.append(
            {
                "firm_id": draft.firm_id,
                "client_id": draft.client_id,
                "number": f"{NUMBER_PREFIX}{number:04d}",
                "currency": draft.currency,
                "issue_date": draft.issue_date,
                "due_date": draft.due_date,
                "status": InvoiceStatus.OPEN.value,
                "notes": draft.notes,
                "subtotal": totals.subtotal,
                "tax_total": totals.tax_total,
                "total": totals.total,
                "amount_paid": 0,
                "amount_due": totals.total,
                "sent_at": now,
                "link_token": link_token,
                "created_at": now,
                "updated_at": now,
            }
        )
        lines.append(list(zip(draft.lines, amounts, strict=True)))
    return invoices, lines


def _line_rows(ids: list[int], lines: list[list]) -> list[dict]:
    return [
        {
            "invoice_id": invoice_id,
            "position": position,
            "description": line.description.strip(),
            "quantity": line.quantity,
            "unit_amount": line.unit_amount,
            "tax_rate": line.tax_rate,
            "line_subtotal": amounts.line_subtotal,
            "line_tax": amounts.line_tax,
        }
        for invoice_id, invoice_lines in zip(ids, lines, strict=True)
        for position, (line, amounts) in enumerate(invoice_lines)
    ]


def invoices_issue_bulk(*, drafts: Sequence[IssueDraft]) -> list[IssuedInvoice]:
    """Create and send these invoices (open, numbered, emailed after the commit); returns
    them in the order of `drafts`. Runs in the caller's transaction if any."""
    if not drafts:
        return []
    now = timezone.now()
    with transaction.atomic():
        invoices, lines = _invoice_rows(drafts, now)
        ids: list[int] = []
        with number_search_bulk(ids):
            ids += rows_insert(model=Invoice, rows=invoices)
        rows_insert(model=InvoiceLine, rows=_line_rows(ids, lines))
        transaction.on_commit(lambda: _followups_enqueue(ids))
    return [
        IssuedInvoice(
            id=invoice_id,
            firm_id=row["firm_id"],
            number=row["number"],
            total=row["total"],
            due_date=row["due_date"],
        )
        for invoice_id, row in zip(ids, invoices, strict=True)
    ]


def _followups_enqueue(ids: list[int]) -> None:
    from firmpay.invoices.tasks import invoices_sent_followups_split_task

    invoices_sent_followups_split_task(ids, FOLLOWUP_CHUNK)
