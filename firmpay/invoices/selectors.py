"""Reads for invoices, always scoped by the firm (except the client link, scoped by its token)."""

import datetime
import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.shortcuts import get_object_or_404

from firmpay.clients.models import Client
from firmpay.invoices.dates import firm_today
from firmpay.invoices.links import link_unsign
from firmpay.invoices.models import OUTSTANDING_STATUSES, Invoice

PAGE_SIZE = 50
# What the list page shows (the rest of an invoice's columns is not read for it).
LIST_FIELDS = (
    "id", "firm_id", "client_id", "client__name", "number", "currency", "issue_date",
    "due_date", "status", "total", "amount_due",
)  # fmt: skip
NUMBER_PATTERN = re.compile(r"INV-\d{4,}", re.IGNORECASE)
# What a one- or two-character search can find in an invoice number as Firmpay numbers
# them ("INV-" and digits, services.invoice_number_allocate): a piece of "INV", or the end
# of "INV-" followed by digits. No trigram index serves so short a search, so one that
# cannot be in a number only looks at client names instead of scanning every invoice.
SHORT_SEARCH = 3
NUMBER_PART = re.compile(r"I|N|V|IN|NV|INV|(?:INV-|NV-|V-|-)?\d*", re.IGNORECASE)


def invoice_list(
    *,
    firm,
    status: str | None = None,
    client=None,
    search: str = "",
    overdue: bool = False,
    today: datetime.date | None = None,
) -> QuerySet[Invoice]:
    """The firm's invoices, newest first. `overdue` means outstanding and past its due date
    in the firm's calendar; it is derived, never stored."""
    invoices = Invoice.objects.filter(firm=firm)
    if status:
        invoices = invoices.filter(status=status)
    if client is not None:
        invoices = invoices.filter(client=client)
    if overdue:
        invoices = invoices.filter(
            status__in=OUTSTANDING_STATUSES, due_date__lt=today or firm_today(firm)
        )
    search = search.strip()
    if NUMBER_PATTERN.fullmatch(search):
        # A whole invoice number: the (firm, number) unique index finds it at once.
        invoices = invoices.filter(number=search.upper())
    elif search:
        invoices = invoices.filter(_search_condition(firm=firm, search=search))
    return invoices.select_related("client").only(*LIST_FIELDS).order_by("-id")


def _search_condition(*, firm, search: str) -> Q:
    """Number or client name contains `search` (case-insensitive), through indexes rather
    than a scan of the firm's invoices: the matching clients first (the firm's client
    list, small), then invoices by client (index) or by number (trigram index: SQLite FTS5
    table `invoices_invoice_number_search`, PostgreSQL pg_trgm; migration 0004)."""
    client_ids = list(
        Client.objects.filter(firm=firm, name__icontains=search).values_list("id", flat=True)
    )
    by_client = Q(client_id__in=client_ids)
    if len(search) < SHORT_SEARCH and not NUMBER_PART.fullmatch(search):
        # "x", "no": no number contains it (before, this scanned the firm's invoices).
        return by_client if client_ids else Q(pk__in=[])
    if connection.vendor == "sqlite" and len(search) >= SHORT_SEARCH:
        phrase = '"' + search.replace('"', '""') + '"'  # one FTS5 string: a substring
        by_number = Q(
            id__in=RawSQL(
                "SELECT rowid FROM invoices_invoice_number_search "
                "WHERE invoices_invoice_number_search MATCH %s",
                [phrase],
            )
        )
    else:  # PostgreSQL: pg_trgm serves icontains; under 3 characters nearly all match
        by_number = Q(number__icontains=search)
    return by_number | by_client if client_ids else by_number


def invoice_get(*, firm, invoice_id) -> Invoice:
    """The firm's invoice, or 404: another firm's invoice does not exist here."""
    return get_object_or_404(
        Invoice.objects.select_related("client", "firm"), firm=firm, pk=invoice_id
    )


def invoice_get_by_link(*, signed_token: str) -> Invoice:
    """The invoice behind a client link; tampered, revoked (rotated) and draft links are 404."""
    token = link_unsign(signed_token)
    if token is None:
        raise Http404("No such invoice")
    return get_object_or_404(
        Invoice.objects.select_related("client", "firm").exclude(status="draft"), link_token=token
    )


def invoice_email_latest(*, invoice: Invoice):
    """The latest sending of the invoice email (None before the first)."""
    return invoice.emails.order_by("-id").first()


def invoice_manual_payments(*, invoice):
    return invoice.manual_payments.select_related("recorded_by").order_by("received_on", "id")


class InvoiceRow:
    """One row of the list page: the columns it shows as plain values. Building 50 invoice
    model instances and their clients cost more than the query that reads them."""

    __slots__ = (
        "id", "number", "client_id", "client_name", "currency", "issue_date", "due_date",
        "status", "total", "amount_due", "display_status", "labels",
    )  # fmt: skip
    COLUMNS = (
        "id", "number", "client_id", "client__name", "currency", "issue_date", "due_date",
        "status", "total", "amount_due",
    )  # fmt: skip

    def __init__(self, values: tuple) -> None:
        (
            self.id, self.number, self.client_id, self.client_name, self.currency,
            self.issue_date, self.due_date, self.status, self.total, self.amount_due,
        ) = values  # fmt: skip
        self.display_status = self.status
        self.labels = ()

    @property
    def pk(self) -> int:
        return self.id

    @property
    def is_outstanding(self) -> bool:
        return self.status in OUTSTANDING_STATUSES

    def is_overdue_on(self, today) -> bool:
        return self.is_outstanding and self.due_date < today


def _rows(invoices: QuerySet[Invoice]) -> list[InvoiceRow]:
    return [InvoiceRow(values) for values in invoices.values_list(*InvoiceRow.COLUMNS)]


@dataclass
class InvoicePage:
    """A page of the list without a total count: counting 100,000 rows costs more than the
    page itself. Pages are keyed by invoice id (newest first), so every page costs the same."""

    invoices: list[InvoiceRow]
    newer_than: int | None  # link to the newer page: ?after=<id>
    older_than: int | None  # link to the older page: ?before=<id>


def invoice_page(
    invoices: QuerySet[Invoice],
    *,
    before: int | None = None,
    after: int | None = None,
    size: int = PAGE_SIZE,
) -> InvoicePage:
    if after is not None:
        rows = _rows(invoices.filter(id__gt=after).order_by("id")[: size + 1])
        has_newer = len(rows) > size
        rows = rows[:size][::-1]
        has_older = True
    else:
        if before is not None:
            invoices = invoices.filter(id__lt=before)
        rows = _rows(invoices[: size + 1])
        has_older = len(rows) > size
        rows = rows[:size]
        has_newer = before is not None
    return InvoicePage(
        invoices=rows,
        newer_than=rows[0].pk if rows and has_newer else None,
        older_than=rows[-1].pk if rows and has_older else None,
    )


def invoice_display_status(invoice: Invoice | InvoiceRow, today: datetime.date) -> str:
    """The status badge: stored status, or `overdue` for outstanding invoices past due."""
    return "overdue" if invoice.is_overdue_on(today) else invoice.status
