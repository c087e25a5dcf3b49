"""One read for the payments a batch of facts names, instead of one per fact.

`payments_read_together(refs)` reads, in one query, every payment of ours that any id of
`refs` names; while it is open, `state.payment_for_ref` answers from those rows (a ref none
of them answers is looked up as before). The rows are read without a lock and never
written: an applier takes a row's pk to `payment_change`, which locks and reads it afresh,
or finds the fact already on it (`state.payment_fact_known`), which a row read earlier in
the batch tells as truly as one read now: the facts on a payment are only ever added. A
payment that learns an id during the batch is found by it through the query, as before.

The event worker opens it around a batch's payment events (the chunk loop of
`services/event_batches.py:events_run_batch`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db.models import Q

from firmpay.payments.facts import PaymentRef
from firmpay.payments.online.models import OnlinePayment

_read: ContextVar[dict[str, list[OnlinePayment]] | None] = ContextVar(
    "payments_read_together", default=None
)


@contextmanager
def payments_read_together(refs: Iterable[PaymentRef]) -> Iterator[None]:
    """Read the payments `refs` name (one query) and answer `payment_for_ref` from them."""
    accounts: set[str] = set()
    ids: dict[str, set] = defaultdict(set)
    for ref in refs:
        if not ref.account:
            continue
        accounts.add(ref.account)
        for field, value in (
            ("pk", ref.payment_id),
            ("payment_intent_id", ref.intent),
            ("charge_id", ref.charge),
            ("checkout_session_id", ref.session),
        ):
            if value not in (None, ""):
                ids[field].add(value)
    by_account: dict[str, list[OnlinePayment]] = defaultdict(list)
    if ids:
        any_id = Q()
        for field, values in ids.items():
            any_id |= Q(**{f"{field}__in": values})
        rows = OnlinePayment.objects.filter(any_id, stripe_account_id__in=accounts).order_by("pk")
        for payment in rows:
            by_account[payment.stripe_account_id].append(payment)
    token = _read.set(dict(by_account))
    try:
        yield
    finally:
        _read.reset(token)


def payments_read(account: str) -> list[OnlinePayment]:
    """The rows read together for `account` (in pk order); empty outside a batch."""
    read = _read.get()
    return read.get(account, []) if read else []
