"""Invoices issued in bulk for automatic collection (invoices hook "issued_for_autopay",
raised once per recurring sweep batch): one InvoiceAutopay row each, inserted in bulk in
the batch's transaction, first attempt when the schedule says (on issue: now; on the due
date: 09:00 firm time, as `invoice_autopay_mark`)."""

from __future__ import annotations

from types import SimpleNamespace

from django.utils import timezone

from firmpay.core.bulk import rows_insert
from firmpay.invoices.hooks import IssuedForAutopay
from firmpay.payments.autopay.authorise import autopay_first_attempt_at
from firmpay.payments.autopay.models import CollectOn, InvoiceAutopay, InvoiceAutopayStatus
from firmpay.tenancy.models import Firm

# The recurring schedules' words for when to collect.
SCHEDULE_COLLECT_ON = {"on_issue": CollectOn.ISSUE, "on_due_date": CollectOn.DUE}


def on_invoices_issued_for_autopay(*, issued: list[IssuedForAutopay]) -> None:
    """Mark freshly issued invoices (no autopay row can exist yet) for collection."""
    zones = dict(
        Firm.objects.filter(pk__in={item.firm_id for item in issued}).values_list("id", "timezone")
    )
    now = timezone.now()
    rows = []
    for item in issued:
        collect_on = SCHEDULE_COLLECT_ON[item.collect_on]
        invoice = SimpleNamespace(
            due_date=item.due_date, firm=SimpleNamespace(timezone=zones.get(item.firm_id))
        )
        rows.append(
            {
                "firm_id": item.firm_id,
                "invoice_id": item.invoice_id,
                "collect_on": collect_on,
                "status": InvoiceAutopayStatus.SCHEDULED.value,
                "next_attempt_at": autopay_first_attempt_at(invoice=invoice, collect_on=collect_on),
                "created_at": now,
                "updated_at": now,
            }
        )
    rows_insert(model=InvoiceAutopay, rows=rows)
