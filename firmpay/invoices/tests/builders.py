from contextlib import contextmanager
from decimal import Decimal

from firmpay.invoices.hooks import _listeners, invoice_hook_register
from firmpay.invoices.services import invoice_create
from firmpay.invoices.totals import LineInput


def line(description="Bookkeeping", quantity="1", unit_amount=10000, tax_rate="0") -> LineInput:
    return LineInput(
        description=description,
        quantity=Decimal(quantity),
        unit_amount=unit_amount,
        tax_rate=Decimal(tax_rate),
    )


def invoice_build(*, firm, client, lines=None, **fields):
    return invoice_create(firm=firm, client=client, lines=lines or [line()], **fields)


@contextmanager
def invoice_hook_listening(event: str, listener):
    """`listener` registered for the invoices hook `event` while inside, then removed."""
    invoice_hook_register(event, listener)
    try:
        yield
    finally:
        _listeners[event].remove(listener)
