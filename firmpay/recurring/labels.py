"""The "Recurring" label on the invoices list: one query per page of invoices."""

from django.urls import reverse

from firmpay.invoices.hooks import InvoiceLabel, invoice_labeller_register


def schedule_labels(*, invoices) -> dict[int, InvoiceLabel]:
    from firmpay.recurring.models import ScheduleIssue

    rows = ScheduleIssue.objects.filter(invoice_id__in=[invoice.pk for invoice in invoices])
    return {
        invoice_id: InvoiceLabel(
            text="Recurring",
            url=reverse("recurring:detail", kwargs={"schedule_id": schedule_id}),
        )
        for invoice_id, schedule_id in rows.values_list("invoice_id", "schedule_id")
    }


def invoice_labels_register() -> None:
    invoice_labeller_register(schedule_labels)
