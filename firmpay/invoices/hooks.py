"""Other apps follow invoice events without invoices importing them.

An app registers a listener in its AppConfig.ready(); the invoice services run the
listeners inside the transaction that made the change (so a listener's rows commit or roll
back with it; listeners defer side effects with `transaction.on_commit`).

Events: "sent" (invoice=), "voided" (invoice=), "manual_payment_recorded" (invoice=, payment=),
"issued_for_autopay" (issued=[IssuedForAutopay, ...]): invoices just issued (open) in bulk
that are to be collected automatically from the client's saved authorisation, each with
`collect_on` "on_issue" or "on_due_date" (the recurring sweep raises it once per batch with
ids, not rows; online payments mark them for charging in bulk).

Invoices issued in bulk (`invoices_issue_bulk`) run "sent" per invoice after the commit, in
a task, each in its own transaction.

List labels: an app that knows more about some invoices (recurring schedules) registers
`labeller(*, invoices)` returning {invoice id: InvoiceLabel}; the invoices list asks every
labeller once per page (one query each, never one per row).

Amount sources: an app that takes money for invoices (online payments) registers a function
`source(*, invoice)` returning an object with `received`, `processing`, `refunded` (ints in
the invoice's minor units) and `disputed` (bool); invoice_recompute_status adds them up.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

EVENTS = ("sent", "voided", "manual_payment_recorded", "issued_for_autopay")
_listeners: dict[str, list[Callable[..., None]]] = {event: [] for event in EVENTS}


@dataclass(frozen=True, slots=True)
class IssuedForAutopay:
    """One invoice of an "issued_for_autopay" batch: what marking it needs, without a row."""

    invoice_id: int
    firm_id: int
    client_id: int
    due_date: datetime.date
    collect_on: str


def invoice_hook_register(event: str, listener: Callable[..., None]) -> None:
    if event not in _listeners:
        raise ValueError(f"unknown invoice event {event!r}")
    if listener not in _listeners[event]:
        _listeners[event].append(listener)


def invoice_hook_has_listeners(event: str) -> bool:
    """Whether any app listens to `event` (bulk callers skip loading rows for nobody)."""
    return bool(_listeners[event])


def invoice_hooks_run(event: str, **kwargs) -> None:
    for listener in _listeners[event]:
        listener(**kwargs)


@dataclass(frozen=True, slots=True)
class ExternalAmounts:
    received: int = 0
    processing: int = 0
    refunded: int = 0
    disputed: bool = False


_amount_sources: list[Callable[..., object]] = []


def invoice_amount_source_register(source: Callable[..., object]) -> None:
    if source not in _amount_sources:
        _amount_sources.append(source)


def invoice_external_amounts(*, invoice) -> ExternalAmounts:
    """What the registered sources (online payments) hold for the invoice, added up."""
    total = ExternalAmounts()
    for source in _amount_sources:
        amounts = source(invoice=invoice)
        total = ExternalAmounts(
            received=total.received + amounts.received,
            processing=total.processing + amounts.processing,
            refunded=total.refunded + amounts.refunded,
            disputed=total.disputed or amounts.disputed,
        )
    return total


# Lines other apps add to the invoice email (online payments: "Pay automatically from now
# on", or when an automatic charge will collect it). A function(*, invoice) -> str ("" = none).
_email_notes: list[Callable[..., str]] = []


def invoice_email_note_register(note: Callable[..., str]) -> None:
    if note not in _email_notes:
        _email_notes.append(note)


def invoice_email_notes(*, invoice) -> list[str]:
    return [text for note in _email_notes if (text := note(invoice=invoice))]
# Extending the invoice email: an app registers `extend(*, message, invoice)`, which may
# attach files and an HTML alternative to the EmailMultiAlternatives before it is sent
# (documents: the invoice PDF and the firm's branding).
_email_extensions: list[Callable[..., None]] = []


def invoice_email_extension_register(extend: Callable[..., None]) -> None:
    if extend not in _email_extensions:
        _email_extensions.append(extend)


def invoice_email_extend(*, message, invoice) -> None:
    for extend in _email_extensions:
        extend(message=message, invoice=invoice)


@dataclass(frozen=True, slots=True)
class InvoiceLabel:
    text: str
    url: str


_labellers: list[Callable[..., dict]] = []


def invoice_labeller_register(labeller: Callable[..., dict]) -> None:
    if labeller not in _labellers:
        _labellers.append(labeller)


def invoice_labels(*, invoices) -> dict[int, list[InvoiceLabel]]:
    """{invoice id: [labels]} for a page of invoices, from every registered labeller."""
    labels: dict[int, list[InvoiceLabel]] = {}
    if not invoices:
        return labels
    for labeller in _labellers:
        for invoice_id, label in labeller(invoices=invoices).items():
            labels.setdefault(invoice_id, []).append(label)
    return labels
