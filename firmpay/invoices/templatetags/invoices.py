from html import escape

from django import template
from django.urls import reverse
from django.utils.dates import MONTHS_3
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from firmpay.core.money import format_amount
from firmpay.invoices.models import InvoiceStatus

register = template.Library()

LABELS = {**dict(InvoiceStatus.choices), "overdue": "Overdue"}
# The list's status cell for each status, built once rather than escaped per row.
_BADGES = {
    status: f'<span class="badge {escape(status)}" data-status="{escape(status)}">'
    f"{escape(str(label))}</span>"
    for status, label in LABELS.items()
}
_SEPARATOR = "\x00"


def escape_many(texts: list[str]) -> list[str]:
    """`html.escape` of each text, in one call over them all: a page of invoices or a firm's
    clients is hundreds of short strings, and the calls cost more than the escaping."""
    joined = _SEPARATOR.join(texts)
    escaped = escape(joined).split(_SEPARATOR)
    if len(escaped) != len(texts):  # a text held the separator itself: one at a time
        return [escape(text) for text in texts]
    return escaped


def _badge(status: str) -> str:
    badge = _BADGES.get(status)
    if badge is None:
        badge = (
            f'<span class="badge {escape(status)}" data-status="{escape(status)}">'
            f"{escape(status)}</span>"
        )
    return badge


@register.simple_tag
def status_badge(status: str):
    """The status badge; `status` is a stored status or the derived `overdue`."""
    return format_html(
        '<span class="badge {0}" data-status="{0}">{1}</span>', status, LABELS.get(status, status)
    )


@register.simple_tag
def options(choices, selected):
    """<option>s for (value, label) pairs: a firm can have hundreds of clients, and this is
    several times faster than a template loop over them."""
    selected = "" if selected is None else str(selected)
    values = [str(value) for value, _label in choices]
    texts = escape_many(values + [str(label) for _value, label in choices])
    count = len(values)
    parts = [
        f'<option value="{texts[n]}"{" selected" if value == selected else ""}>'
        f"{texts[count + n]}</option>"
        for n, value in enumerate(values)
    ]
    return mark_safe("".join(parts))  # noqa: S308 - every value and label is escaped above


def _day(value, months=None) -> str:
    """`value|date:"j M Y"` (e.g. 7 Mar 2026) without the template filter's machinery.
    `months`: the month names of `_months()`, to read the translations once per page."""
    if not value:
        return ""
    month = months[value.month] if months else MONTHS_3[value.month].title()
    return f"{value.day} {month} {value.year}"


def _months() -> list[str]:
    return [""] + [str(MONTHS_3[month]).title() for month in range(1, 13)]


@register.simple_tag
def invoice_rows(invoices):
    """The list's table rows for a page of `InvoiceRow`s (each with `display_status`). Rendered
    here, not by a template loop: the loop cost about half of the list page's time."""
    detail = reverse("invoices:detail", args=[0])
    head, tail = detail[: detail.rindex("/0/") + 1], "/"
    invoices = list(invoices)
    months = _months()
    # Number, client and amounts of every row escaped in one call (escape_many).
    texts = []
    for invoice in invoices:
        texts.append(invoice.number)
        texts.append(invoice.client_name)
        texts.append(format_amount(int(invoice.total), invoice.currency))
        texts.append(
            format_amount(int(invoice.amount_due), invoice.currency)
            if invoice.is_outstanding
            else ""
        )
    texts = escape_many(texts)
    rows = []
    for n, invoice in enumerate(invoices):
        number, client, total, due = texts[4 * n : 4 * n + 4]
        labels = "".join(
            f' <a class="badge invoice-label" href="{escape(label.url)}">{escape(label.text)}</a>'
            for label in getattr(invoice, "labels", ())
        )
        rows.append(
            "    <tr>\n"
            f'      <td><a href="{head}{invoice.pk}{tail}">{number}</a>{labels}</td>\n'
            f"      <td>{client}</td>\n"
            f"      <td>{_day(invoice.issue_date, months)}</td>\n"
            f"      <td>{_day(invoice.due_date, months)}</td>\n"
            f"      <td>{_badge(invoice.display_status)}</td>\n"
            f'      <td class="num">{total}</td>\n'
            f'      <td class="num">{due}</td>\n'
            "    </tr>\n"
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value is escaped above
