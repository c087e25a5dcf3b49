from html import escape

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from firmpay.invoices.models import InvoiceStatus

register = template.Library()

LABELS = {**dict(InvoiceStatus.choices), "overdue": "Overdue"}


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
    parts = []
    for value, label in choices:
        value = str(value)
        mark = " selected" if value == selected else ""
        parts.append(f'<option value="{escape(value)}"{mark}>{escape(str(label))}</option>')
    return mark_safe("".join(parts))  # noqa: S308 - every value and label is escaped above
