"""The "Recurring" label on the invoices list: one query per page of invoices."""

from django.db import connection
from django.urls import reverse

from firmpay.invoices.hooks import InvoiceLabel, invoice_labeller_register


def schedule_labels(*, invoices) -> dict[int, InvoiceLabel]:
    """Plain SQL over the (unique) invoice index: the ORM spent longer building the query
    for a page's 50 ids (and sorting by the model's default ordering) than SQLite spent
    running it, on every list page, most of which label nothing."""
    ids = [invoice.pk for invoice in invoices]
    if not ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(_issues_sql(len(ids)), ids)
        rows = cursor.fetchall()
    # One label (and one URL reversal) per schedule: a page holds a few schedules' invoices.
    labels = {
        schedule_id: InvoiceLabel(
            text="Recurring", url=reverse("recurring:detail", kwargs={"schedule_id": schedule_id})
        )
        for schedule_id in {schedule_id for _invoice_id, schedule_id in rows}
    }
    return {invoice_id: labels[schedule_id] for invoice_id, schedule_id in rows}


def _issues_sql(count: int) -> str:
    from firmpay.recurring.models import ScheduleIssue

    meta, quote = ScheduleIssue._meta, connection.ops.quote_name
    invoice, schedule = (quote(meta.get_field(name).column) for name in ("invoice", "schedule"))
    placeholders = ", ".join(["%s"] * count)
    # Only quoted column and table names and %s placeholders go into the text.
    return (
        f"SELECT {invoice}, {schedule} FROM {quote(meta.db_table)} "  # noqa: S608
        f"WHERE {invoice} IN ({placeholders})"
    )


def invoice_labels_register() -> None:
    invoice_labeller_register(schedule_labels)
