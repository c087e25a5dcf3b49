"""Processing claimed Stripe events: one at a time, or a worker's batch grouped by
connected account.

Every event goes through the one entry point, `services/facts.py:stripe_event_apply` (an
EventEnvelope in, the row's status out: processed, ignored or flagged). Around it:

- Events with a fact whose applier reads from Stripe (READS_STRIPE_FACTS: an account
  changed, the method saved by a completed setup) run one by one, outside any batch
  transaction (no lock held across an HTTP call), and first in their account's group: the
  first retrieves the account, the rest of the burst find the snapshot already newer than
  themselves and cost nothing. Their rows' statuses
  are written together after the batch (a killed worker's are re-run: they re-read).
- The other events of the group (payments, refunds, disputes, mandates: database facts
  only; payouts, whose applier only schedules work after commit) are
  applied in one transaction per chunk together with their rows' final status; if one
  fails, the chunk rolls back and its events run one by one. A worker killed mid-chunk
  commits nothing of it: the rows stay leased, then any worker applies them once.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from functools import lru_cache

from django.db import connection, transaction
from django.db.models import Q

from firmpay.payments.facts import AccountChanged, AccountDeauthorized, MethodSaved
from firmpay.payments.models import StripeEventStatus
from firmpay.payments.online.payment_reads import payments_read_together
from firmpay.payments.services.event_rows import (
    ClaimedEvent,
    event_fail,
    events_finish,
    events_finish_each,
)
from firmpay.payments.stripe.dataclasses import EventEnvelope
from firmpay.payments.stripe.events import payment_facts_from_event
from firmpay.payments.stripe.mappers import event_envelope_from_payload

logger = logging.getLogger("firmpay.payments.events")

# Events per batch transaction. On SQLite the transaction holds the one write lock, which
# the webhook's INSERT waits for (in SQLite's sleeps of 1, 2, 5, 10 ... ms): kept to a few
# milliseconds. PostgreSQL writers do not wait on it, and each commit waits for an fsync:
# the larger the chunk, the fewer.
CHUNK = {"sqlite": 8, "postgresql": 50}
CHUNK_DEFAULT = 25
# The one place that says which events read from Stripe: those with a fact of these types
# (AccountChanged retrieves the account, MethodSaved the saved payment method;
# AccountDeauthorized is kept with the account's other facts, in order).
READS_STRIPE_FACTS = (AccountChanged, AccountDeauthorized, MethodSaved)
# Facts whose appliers ignore them unless the account is connected (`_connected_account`).
ACCOUNT_ONLY_FACTS = (AccountChanged, AccountDeauthorized)


@lru_cache(maxsize=1024)
def _envelope(event: ClaimedEvent) -> EventEnvelope:
    """Parsed once per claimed event (read by reads_stripe, then applied)."""
    return event_envelope_from_payload(event.payload, received_at=event.received_at)


def _dispatch(event: ClaimedEvent) -> str:
    # Imported here: the appliers pull in the whole payments app, which the webhook's lean
    # process (it only stores events) never needs.
    from firmpay.payments.services.facts import stripe_event_apply

    return stripe_event_apply(_envelope(event))


@lru_cache(maxsize=1024)
def _facts(event: ClaimedEvent) -> tuple:
    """Mapped once per claimed event (read by reads_stripe, the batch's filters and its
    payment read); the facts are frozen dataclasses."""
    try:
        return tuple(payment_facts_from_event(_envelope(event)) or ())
    except Exception:  # noqa: BLE001 - a payload that cannot be mapped fails when applied
        return ()


def reads_stripe(event: ClaimedEvent) -> bool:
    return any(isinstance(fact, READS_STRIPE_FACTS) for fact in _facts(event))


def _account_changes_only(event: ClaimedEvent) -> bool:
    from firmpay.payments.stripe.endpoints import PINNED_API_VERSION

    facts = _facts(event)
    version = _envelope(event).api_version
    return (
        bool(facts)
        and all(type(fact) is AccountChanged for fact in facts)
        and (not version or version == PINNED_API_VERSION)
    )


def _run_readers(readers: list[ClaimedEvent], read: dict[str, list[int]]) -> None:
    """Run one account's events that read from Stripe (in claim order), recording each
    outcome in `read`. When they all only say the account changed, only the latest
    received runs; when it is processed, the others are too (see the module's doc)."""
    if len(readers) > 1 and all(_account_changes_only(event) for event in readers):
        latest = max(readers, key=lambda event: (event.received_at is not None,
                                                  event.received_at, event.pk))  # fmt: skip
        outcome = _run_reading_stripe(latest)
        read[outcome or StripeEventStatus.FAILED].append(latest.pk)
        rest = [event for event in readers if event is not latest]
        if outcome == StripeEventStatus.PROCESSED and latest.received_at is not None:
            read[outcome].extend(event.pk for event in rest)
            return
        readers = rest
    for event in readers:
        outcome = _run_reading_stripe(event)
        read[outcome or StripeEventStatus.FAILED].append(event.pk)


def _not_connected(events: list[ClaimedEvent]) -> set[int]:
    """The events (pks) that only say an account changed or was deauthorized, for accounts
    that are not connected to any firm: their appliers would ignore each after a query of
    its own; one query finds them all (most of a burst for accounts we do not know)."""
    from firmpay.payments.models import PaymentAccount
    from firmpay.payments.stripe.endpoints import PINNED_API_VERSION

    candidates: dict[int, set[str]] = {}
    for event in events:
        facts = _facts(event)
        version = _envelope(event).api_version
        if (
            facts
            and all(type(fact) in ACCOUNT_ONLY_FACTS for fact in facts)
            and (
                not version or version == PINNED_API_VERSION  # else flagged, not ignored
            )
        ):
            candidates[event.pk] = {fact.account or "" for fact in facts}
    if not candidates:
        return set()
    connected = set(
        PaymentAccount.objects.filter(
            stripe_account_id__in=set().union(*candidates.values()), disconnected_at__isnull=True
        ).values_list("stripe_account_id", flat=True)
    )
    return {pk for pk, accounts in candidates.items() if not accounts & connected}


def event_run(event: ClaimedEvent) -> str:
    """Process one claimed event and record the outcome. Returns the row's new status."""
    if reads_stripe(event):
        outcome = _run_reading_stripe(event)
        if outcome is not None:
            events_finish(pks=[event.pk], status=outcome)
        return outcome or StripeEventStatus.FAILED
    try:
        with transaction.atomic():
            outcome = _dispatch(event)
            events_finish(pks=[event.pk], status=outcome)
    except Exception as error:  # noqa: BLE001 - recorded on the row, retried with backoff
        _failed(event, error)
        return StripeEventStatus.FAILED
    return outcome


def _run_reading_stripe(event: ClaimedEvent) -> str | None:
    """Apply an event whose facts read from Stripe and commits what it read itself
    (a repeat re-reads and changes nothing). None when it failed (recorded on the row)."""
    try:
        return _dispatch(event)
    except Exception as error:  # noqa: BLE001 - recorded on the row, retried with backoff
        _failed(event, error)
        return None


def _failed(event: ClaimedEvent, error: Exception) -> None:
    logger.warning("stripe event %s failed (attempt %s): %r", event.event_id, event.attempts, error)
    event_fail(event=event, error=error)


def _payment_facts() -> tuple:
    """Facts whose appliers ignore them when no payment of ours matches their ref."""
    from firmpay.payments.facts import (
        PaymentFailed,
        PaymentNoticed,
        PaymentProcessing,
        PaymentRefundedTotal,
        PaymentSessionExpired,
        PaymentSucceeded,
    )

    return (PaymentNoticed, PaymentProcessing, PaymentSucceeded, PaymentFailed,
            PaymentSessionExpired, PaymentRefundedTotal)  # fmt: skip


def _no_payment(events: list[ClaimedEvent]) -> set[int]:
    """The events (pks) that only tell payment facts, on accounts where no payment of ours
    matches any id that any of `events` names: one query instead of one per event. Safe
    for the whole batch: a payment learns new ids only from an event that found it by
    another, and none of these ids finds one (Connect sends every payment of an account,
    most of them not made through Firmpay)."""
    from firmpay.payments.online.models import OnlinePayment
    from firmpay.payments.stripe.endpoints import PINNED_API_VERSION

    kinds = _payment_facts()
    candidates: dict[int, set[str]] = {}
    ids: dict[str, set] = defaultdict(set)
    accounts: set[str] = set()
    for event in events:
        facts = _facts(event)
        for fact in facts:
            ref = getattr(fact, "ref", None)
            if ref is not None:
                accounts.add(ref.account)
                for field, value in (("pk", ref.payment_id), ("payment_intent_id", ref.intent),
                                     ("charge_id", ref.charge),
                                     ("checkout_session_id", ref.session)):  # fmt: skip
                    if value not in (None, ""):
                        ids[field].add(value)
        version = _envelope(event).api_version
        if (
            facts
            and all(type(fact) in kinds for fact in facts)
            and (not version or version == PINNED_API_VERSION)
        ):
            candidates[event.pk] = {fact.ref.account for fact in facts}
    if not candidates:
        return set()
    any_id = Q()
    for field, values in ids.items():
        any_id |= Q(**{f"{field}__in": values})
    matched = (
        set(
            OnlinePayment.objects.filter(any_id, stripe_account_id__in=accounts)
            .values_list("stripe_account_id", flat=True)
            .distinct()
        )
        if ids
        else set()
    )
    return {pk for pk, refs in candidates.items() if not (refs - {""}) & matched}


def events_run_batch(events: list[ClaimedEvent], *, chunk: int | None = None) -> Counter:
    """Process a claimed batch, grouped by connected account (an account's events that
    read from Stripe first, then its others). Returns outcome counts.
    Account events for accounts that are not connected are ignored together (one query);
    the statuses of those and of the events that read from Stripe are recorded together at
    the end (one UPDATE per status, one commit, instead of one each)."""
    chunk = chunk or CHUNK.get(connection.vendor, CHUNK_DEFAULT)
    outcomes: Counter = Counter()
    read: dict[str, list[int]] = defaultdict(list)
    ignored = _not_connected(events)
    read[StripeEventStatus.IGNORED].extend(ignored)
    groups: dict[str, list[ClaimedEvent]] = defaultdict(list)
    for event in events:
        if event.pk not in ignored:
            groups[event.account_id].append(event)
    local = []  # account by account, each in claim order
    for group in groups.values():
        readers = [event for event in group if reads_stripe(event)]
        _run_readers(readers, read)
        ran = {event.pk for event in readers}
        local.extend(event for event in group if event.pk not in ran)
    # Payment events that match no payment of ours: ignored together (one query).
    absent = _no_payment(local)
    read[StripeEventStatus.IGNORED].extend(absent)
    local = [event for event in local if event.pk not in absent]
    # Database facts after every read from Stripe, in chunks across accounts: fewer commits;
    # the payments they name read once for the batch (payment_reads).
    refs = (f.ref for event in local for f in _facts(event) if hasattr(f, "ref"))
    with payments_read_together(refs):
        for start in range(0, len(local), chunk):
            outcomes.update(_run_together(local[start : start + chunk]))
    failed = read.pop(StripeEventStatus.FAILED, [])
    events_finish_each({status: pks for status, pks in read.items() if pks})
    outcomes.update({status: len(pks) for status, pks in read.items()})
    outcomes[StripeEventStatus.FAILED] += len(failed)
    return outcomes


def _run_together(events: list[ClaimedEvent]) -> Counter:
    """Facts and final statuses of `events` in one transaction. If any event fails (or
    the transaction does: a deadlock, a lost connection) nothing of the chunk is kept and
    each event runs again on its own, so the good ones are applied once and the bad one
    is recorded as failed. Failures are rare; no savepoint per event on the common path."""
    if len(events) == 1:
        return Counter([event_run(events[0])])
    try:
        with transaction.atomic():
            finished: dict[str, list[int]] = defaultdict(list)
            for event in events:
                finished[_dispatch(event)].append(event.pk)
            for status, pks in finished.items():
                events_finish(pks=pks, status=status)
    except Exception as error:  # noqa: BLE001 - rolled back whole; retried one by one
        logger.info("batch of %s events rolled back (%r); one by one", len(events), error)
        return Counter(event_run(event) for event in events)
    return Counter({status: len(pks) for status, pks in finished.items()})
