"""Other apps follow invoice events without invoices importing them.

An app registers a listener in its AppConfig.ready(); the invoice services run the
listeners inside the transaction that made the change (so a listener's rows commit or roll
back with it; listeners defer side effects with `transaction.on_commit`).

Events: "sent" (invoice=), "voided" (invoice=), "manual_payment_recorded" (invoice=, payment=).
"""

from collections.abc import Callable

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
