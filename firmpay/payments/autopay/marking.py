"""Invoices issued in bulk for automatic collection (invoices hook "issued_for_autopay",
raised once per recurring sweep batch): one InvoiceAutopay row each, written in the batch's
transaction, first attempt when the schedule says (on issue: now; on the due date: 09:00
firm time, as `invoice_autopay_mark`).

Collected on issue (what a retainer nearly always is), the rows are one set-based
`INSERT ... SELECT` over the batch's invoices: their firm comes from the invoice row and
every other column is the same for the batch, so nothing is built or bound per invoice
(the rows built in Python and inserted one by one were an eighth of a 100,000-invoice
sweep). Collected on the due date, the first attempt depends on the firm's time zone and
the due date, so those rows are built in Python, each distinct pair converted once."""

from __future__ import annotations

from django.db import connection
from django.utils import timezone

from firmpay.core.bulk import ids_subquery_sql, rows_insert
from firmpay.invoices.hooks import IssuedForAutopay
from firmpay.invoices.models import Invoice
from firmpay.payments.autopay.authorise import autopay_due_date_attempt_at
from firmpay.payments.autopay.models import CollectOn, InvoiceAutopay, InvoiceAutopayStatus
from firmpay.tenancy.models import Firm

# The recurring schedules' words for when to collect.
SCHEDULE_COLLECT_ON = {"on_issue": CollectOn.ISSUE, "on_due_date": CollectOn.DUE}


def on_invoices_issued_for_autopay(*, issued: list[IssuedForAutopay]) -> None:
    """Mark freshly issued invoices (no autopay row can exist yet) for collection."""
    now = timezone.now()
    on_issue, on_due = [], []
    for item in issued:
        if SCHEDULE_COLLECT_ON[item.collect_on] == CollectOn.ISSUE:
            on_issue.append(item.invoice_id)
        else:
            on_due.append(item)
    if on_issue:
        _mark_on_issue(on_issue, now)
    if on_due:
        _mark_on_due_date(on_due, now)


def _mark_on_issue(invoice_ids: list[int], now) -> None:
    """One INSERT ... SELECT: each invoice's own firm, the rest the batch's constants."""
    table = connection.ops.quote_name(InvoiceAutopay._meta.db_table)
    invoices = connection.ops.quote_name(Invoice._meta.db_table)
    stamp = connection.ops.adapt_datetimefield_value(now)
    ids_sql, ids_params = ids_subquery_sql(invoice_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (firm_id, invoice_id, collect_on, status, "  # noqa: S608
            "next_attempt_at, attempts, last_error, created_at, updated_at) "
            f"SELECT firm_id, id, %s, %s, %s, 0, '', %s, %s FROM {invoices} "
            f"WHERE id IN ({ids_sql}) ORDER BY id",
            [
                CollectOn.ISSUE.value,
                InvoiceAutopayStatus.SCHEDULED.value,
                stamp,
                stamp,
                stamp,
                *ids_params,
            ],
        )
        if cursor.rowcount != len(invoice_ids):
            raise RuntimeError(
                f"marked {cursor.rowcount} of {len(invoice_ids)} invoices for autopay"
            )


def _mark_on_due_date(issued: list[IssuedForAutopay], now) -> None:
    """Rows built here: 09:00 on the due date in the firm's zone, one conversion per
    distinct (zone, due date)."""
    zones = dict(
        Firm.objects.filter(pk__in={item.firm_id for item in issued}).values_list("id", "timezone")
    )
    at_due: dict[tuple, object] = {}
    rows = []
    for item in issued:
        key = (zones.get(item.firm_id), item.due_date)
        if key not in at_due:
            at_due[key] = autopay_due_date_attempt_at(due_date=item.due_date, zone=key[0])
        rows.append(
            {
                "firm_id": item.firm_id,
                "invoice_id": item.invoice_id,
                "collect_on": CollectOn.DUE.value,
                "status": InvoiceAutopayStatus.SCHEDULED.value,
                "next_attempt_at": at_due[key],
                "created_at": now,
                "updated_at": now,
            }
        )
    rows_insert(model=InvoiceAutopay, rows=rows)
