"""Other apps follow invoice events without invoices importing them.

An app registers a listener in its AppConfig.ready(); the invoice services run the
listeners inside the transaction that made the change (so a listener's rows commit or roll
back with it; listeners defer side effects with `transaction.on_commit`).

Events: "sent" (invoice=), "voided" (invoice=), "manual_payment_recorded" (invoice=, payment=).

Amount sources: an app that takes money for invoices (online payments) registers a function
`source(*, invoice)` returning an object with `received`, `processing`, `refunded` (ints in
the invoice's minor units) and `disputed` (bool); invoice_recompute_status adds them up.
"""

from collections.abc import Callable
from dataclasses import dataclass

EVENTS = ("sent", "voided", "manual_payment_recorded")
_listeners: dict[str, list[Callable[..., None]]] = {event: [] for event in EVENTS}


def invoice_hook_register(event: str, listener: Callable[..., None]) -> None:
    if event not in _listeners:
        raise ValueError(f"unknown invoice event {event!r}")
    if listener not in _listeners[event]:
        _listeners[event].append(listener)


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
