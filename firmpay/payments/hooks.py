"""Other apps follow payments without payments importing them (like invoices/hooks.py).

An app registers a listener in its AppConfig.ready(); payments runs the listeners inside the
transaction that made the change, so a listener's rows commit or roll back with it
(listeners defer side effects with `transaction.on_commit`).

Events:
- "payment_booked" (firm=, invoice=, payment_key=, amount=, currency=, paid_on=, reference=,
  replaces=): an online payment (or what is left of it after a refund) should show in the
  books under `payment_key`.
- "payments_booked" (bookings=[the keyword arguments of "payment_booked", ...]): several
  payments to show at once (a batch of automatic charges); a listener of "payment_booked"
  registers here too, or is told one by one.
- "payment_unbooked" (firm=, invoice=, payment_key=, reason=): what was booked under
  `payment_key` is taken back (refund, returned debit, lost dispute).
- "account_disconnected" (account=): a firm's payment account stopped taking payments; runs
  after the disconnect commits.
- "payout_changed" (account=, payout=, at=): a payout was created or moved on (for the payouts
  work, which registers into it).

Fee sources: an app that learns what Stripe charged for each payment (payouts, from the
balance transactions it itemises) registers `source(*, payment_ids) -> {payment id: fee}`;
`payment_stripe_fees` asks them all, so a payment's Stripe fee and net show where payments
are listed, once known.

This module imports nothing of Firmpay, so any app may register into it.
"""

from collections.abc import Callable

EVENTS = (
    "payment_booked",
    "payments_booked",
    "payment_unbooked",
    "account_disconnected",
    "payout_changed",
)
_listeners: dict[str, list[Callable[..., None]]] = {event: [] for event in EVENTS}


def payment_hook_register(event: str, listener: Callable[..., None]) -> None:
    if event not in _listeners:
        raise ValueError(f"unknown payment event {event!r}")
    if listener not in _listeners[event]:
        _listeners[event].append(listener)


def payment_hooks_run(event: str, **kwargs) -> bool:
    """Runs the listeners; False when nobody listens."""
    for listener in _listeners[event]:
        listener(**kwargs)
    return bool(_listeners[event])


def payment_hook_unregister(event: str, listener: Callable[..., None]) -> None:
    if listener in _listeners.get(event, ()):
        _listeners[event].remove(listener)


_fee_sources: list[Callable[..., dict[int, int]]] = []


def payment_fee_source_register(source: Callable[..., dict[int, int]]) -> None:
    if source not in _fee_sources:
        _fee_sources.append(source)


def payment_stripe_fees(*, payment_ids: list[int]) -> dict[int, int]:
    """Stripe's fee per payment id, for the payments whose fee a source knows."""
    fees: dict[int, int] = {}
    for source in _fee_sources:
        fees.update(source(payment_ids=payment_ids))
    return fees
