"""Other apps follow what happens to a firm's Stripe money without payments importing them.

An app registers a listener in its AppConfig.ready(); the event handlers run the listeners
inside the worker's transaction for the event (listeners defer side effects with
`transaction.on_commit`).

Events: "payout_changed" (account=PaymentAccount, payout=PayoutInfo, at=datetime of the
Stripe event): a payout was created or moved on (in transit, paid, failed, canceled).
"""

from collections.abc import Callable

EVENTS = ("payout_changed",)
_listeners: dict[str, list[Callable[..., None]]] = {event: [] for event in EVENTS}


def payment_hook_register(event: str, listener: Callable[..., None]) -> None:
    if event not in _listeners:
        raise ValueError(f"unknown payment event {event!r}")
    if listener not in _listeners[event]:
        _listeners[event].append(listener)


def payment_hooks_run(event: str, **kwargs) -> bool:
    """Runs the listeners; False when nobody listens (the event is then ignored)."""
    for listener in _listeners[event]:
        listener(**kwargs)
    return bool(_listeners[event])
