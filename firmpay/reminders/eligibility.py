"""Which invoices may be reminded: an allow-list shared by the sweep, delivery, the
upcoming list and "Send reminder now".

Remindable means: status in `OUTSTANDING_STATUSES` (open, partially paid) with money due,
and not disputed. Any other status (draft, paid, void, payment processing, refunded, or
one added later) is never reminded. The dispute flag belongs to the payments work on the
invoice; until that column exists it is simply not checked.
"""

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q

from firmpay.invoices.models import OUTSTANDING_STATUSES, Invoice

DISPUTE_FIELD = "disputed"


def invoice_has_dispute_flag() -> bool:
    try:
        Invoice._meta.get_field(DISPUTE_FIELD)
    except FieldDoesNotExist:
        return False
    return True


def outstanding_statuses() -> list[str]:
    return [str(status) for status in OUTSTANDING_STATUSES]


def remindable_q() -> Q:
    """ORM filter for invoices that may be reminded (the client's opt-out and the pause
    are checked by the callers, which join them differently)."""
    q = Q(status__in=outstanding_statuses(), amount_due__gt=0)
    if invoice_has_dispute_flag():
        q &= Q(**{DISPUTE_FIELD: False})
    return q


def invoice_refusal(invoice) -> str:
    """Why this invoice may not be reminded at all, or ""."""
    if invoice.status not in OUTSTANDING_STATUSES:
        return f"The invoice is {invoice.get_status_display().lower()}."
    if invoice.amount_due <= 0:
        return "Nothing is due on the invoice."
    if getattr(invoice, DISPUTE_FIELD, False):
        return "The client disputed a payment on the invoice."
    return ""
