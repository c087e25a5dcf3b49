"""Stripe events: ingest (webhook hot path), process (worker), sweep, replay, reconcile.

The ingest path is verify_header + one INSERT ... ON CONFLICT DO NOTHING and no queue:
the stored row is the work item. Workers (`firmpay/payments/event_worker.py`, a thread
in every Huey consumer) claim due rows in batches and process each through the one entry
point, `services/facts.py:stripe_event_apply`; on PostgreSQL the INSERT also NOTIFYs them
(the first of a burst: at most once per STRIPE_EVENTS_NOTIFY_MS per process).
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Q
from django.utils import timezone

from firmpay.payments.exceptions import AccountAccessLost, PaymentsError, WebhookPayloadInvalid
from firmpay.payments.models import PaymentAccount, StripeEvent, StripeEventStatus
from firmpay.payments.services.event_batches import event_run, events_run_batch
from firmpay.payments.services.event_rows import (  # noqa: F401 - lease, backoff re-exported
    MAX_ATTEMPTS,
    PROCESSING_LEASE,
    event_claim,
    event_claim_leased,
    events_claim_batch,
    events_claim_leased,
    lease_kept,
    retry_delay,
)
from firmpay.payments.stripe import webhooks

logger = logging.getLogger("firmpay.payments.events")

# Workers take a due row within a poll; the sweeper takes what waited longer than this.
SWEEP_GRACE = timedelta(seconds=30)
SWEEP_BATCH = 200
SWEEP_BUDGET = 5000
RECONCILE_WINDOW = timedelta(days=3)
RETENTION = timedelta(days=90)
# PostgreSQL: the INSERT of a new event notifies this channel (delivered at commit).
NOTIFY_CHANNEL = "firmpay_stripe_events"

_INSERT_SQL: dict[tuple[str, bool], str] = {}
# When this process last committed an INSERT that notified (time.monotonic()).
_notified_at = -1e9


def _insert_sql(db=connection, *, notify: bool = True) -> str:
    """The ingest INSERT in the driver's own placeholder style (it runs on the DB-API
    connection, not through Django's cursor wrapper); on PostgreSQL with `notify`, the
    same statement also notifies NOTIFY_CHANNEL when it inserted a row."""
    vendor = db.vendor
    notify = notify and vendor == "postgresql"
    if (vendor, notify) not in _INSERT_SQL:
        qn = db.ops.quote_name
        columns = (
            "event_id",
            "type",
            "account_id",
            "livemode",
            "created",
            "payload",
            "status",
            "attempts",
            "next_attempt_at",
            "last_error",
            "received_at",
        )
        # Identifiers come from the model, values are bound parameters.
        table = qn(StripeEvent._meta.db_table)
        names = ", ".join(qn(c) for c in columns)
        marks = ", ".join(["?" if vendor == "sqlite" else "%s"] * len(columns))
        sql = f"INSERT INTO {table} ({names}) VALUES ({marks}) "  # noqa: S608
        sql += f"ON CONFLICT ({qn('event_id')}) DO NOTHING RETURNING {qn('id')}"
        if notify:
            # One statement, one round trip: wake the listening workers only for a new row.
            sql = f"WITH ins AS ({sql}) SELECT pg_notify('{NOTIFY_CHANNEL}', '') FROM ins"  # noqa: S608
        _INSERT_SQL[vendor, notify] = sql
    return _INSERT_SQL[vendor, notify]


def _notify_due(db) -> bool:
    """PostgreSQL: should this INSERT notify the workers? At most once per
    STRIPE_EVENTS_NOTIFY_MS per process (the first of a burst does, at once): each
    notification signals every listening backend, and a burst needs one wake-up, not one
    per event. A worker that was woken keeps looking for due rows for a while after
    (`event_worker.py`), so a row stored within that window without a notification of its
    own is still taken promptly. Inside a transaction (its commit, and so its notification,
    may come much later) every new row notifies."""
    window = settings.STRIPE_EVENTS_NOTIFY_MS / 1000
    return db.in_atomic_block or window <= 0 or time.monotonic() - _notified_at >= window


def _execute_insert(db, params: tuple) -> bool:
    """Run the INSERT on the DB-API connection (Django's cursor wrapper, query logging and
    placeholder rewriting cost more than the statement on this path); errors come out as
    Django's. True when a row was inserted."""
    global _notified_at
    with db.wrap_database_errors:
        db.ensure_connection()
        if db.vendor == "postgresql":
            notify = _notify_due(db)
            inserted = _execute_prepared(db, _insert_sql(db, notify=notify), params)
            if inserted and notify and not db.in_atomic_block:
                _notified_at = time.monotonic()  # committed: the workers are woken
            return inserted
        sql = _insert_sql(db)
        if db.vendor == "sqlite":
            return db.connection.execute(sql, params).fetchone() is not None
    with db.cursor() as cursor:  # another backend: the portable way
        cursor.execute(sql, params)
        return cursor.fetchone() is not None


def _execute_prepared(db, sql: str, params: tuple) -> bool:
    """The INSERT as a named prepared statement of this connection: parsed and planned
    once, then each request is Bind + Execute + Sync, one round trip (autocommit: no
    BEGIN/COMMIT of their own; the pg_notify in the statement is sent at its commit).

    Django turns psycopg's statement preparation off for the whole connection
    (`prepare_threshold=None`, for transaction-mode poolers); it is switched on for this
    one statement only, unless DATABASES OPTIONS set `prepare_threshold` (then the
    connection's own choice stands: e.g. behind a pooler that cannot keep statements)."""
    from psycopg import Cursor  # server-side binding, unlike Django's client-side cursor

    raw = db.connection
    chosen = "prepare_threshold" in db.settings_dict.get("OPTIONS", {})
    threshold = raw.prepare_threshold
    if not chosen:
        raw.prepare_threshold = 0
    try:
        with Cursor(raw) as cursor:
            return cursor.execute(sql, params, prepare=True).fetchone() is not None
    finally:
        raw.prepare_threshold = threshold


def stripe_event_store(*, payload: str, data: dict) -> bool:
    """Insert the event unless its id is stored already. True when inserted. One statement."""
    try:
        event_id, event_type = data["id"], data["type"]
        created = datetime.fromtimestamp(int(data.get("created") or 0), tz=UTC)
    except (KeyError, TypeError, ValueError, OverflowError, OSError) as error:
        raise WebhookPayloadInvalid("not a Stripe event") from error
    account = data.get("account") or ""
    texts = (event_id, event_type, account)
    if not event_id or not all(
        isinstance(t, str) and "\x00" not in t and len(t) <= 255 for t in texts
    ):  # PostgreSQL refuses NUL and, in these columns, more than 255 characters
        raise WebhookPayloadInvalid("not a Stripe event")
    db = connections[DEFAULT_DB_ALIAS]  # once: each `connection.x` is a lookup through a proxy
    adapt = db.ops.adapt_datetimefield_value
    now = adapt(timezone.now())
    params = (
        event_id,
        event_type[:100],
        account,
        bool(data.get("livemode")),
        adapt(created),
        payload,
        StripeEventStatus.RECEIVED.value,
        0,
        now,
        "",
        now,
    )
    inserted = _execute_insert(db, params)
    if inserted and settings.STRIPE_EVENTS_PROCESS_INLINE:
        # Tests and HUEY_IMMEDIATE: no worker loop runs, so process after commit here.
        transaction.on_commit(lambda: stripe_event_process(event_id=event_id))
    return inserted


def stripe_event_ingest(*, payload: bytes, sig_header: str) -> tuple[str, bool]:
    """Verify the signature on the raw body and store the event (a worker claims it).
    Returns (event id, created); created is False for a duplicate delivery.
    Raises WebhookSignatureInvalid or WebhookPayloadInvalid (answer 400, nothing stored)."""
    try:
        text = payload.decode("utf-8")  # once: verify and the row both take the text
    except UnicodeDecodeError:
        text = None
    webhooks.verify(payload if text is None else text, sig_header)  # bytes: not UTF-8
    try:
        data = json.loads(text)
    except ValueError as error:
        raise WebhookPayloadInvalid("body is not JSON") from error
    if not isinstance(data, dict):
        raise WebhookPayloadInvalid("not a Stripe event")
    return data.get("id"), stripe_event_store(payload=text, data=data)


def stripe_event_process(*, event_id: str, force: bool = False) -> str | None:
    """Claim one event (one worker wins), apply it (`stripe_event_apply`), record
    the outcome. Returns the new status, or None when the row was not ours to process
    (already done, not due, or leased to another worker). `force` reprocesses any row."""
    claimed, until = event_claim_leased(event_id=event_id, force=force)
    if claimed is None:
        return None
    with lease_kept([claimed.pk], until):
        return event_run(claimed)


def stripe_events_process_batch(*, limit: int, due_before: datetime | None = None) -> int:
    """Claim up to `limit` due events in one statement and process them grouped by
    connected account. Returns how many were claimed (0: nothing due)."""
    claimed, until = events_claim_leased(limit=limit, due_before=due_before)
    if claimed:
        with lease_kept([event.pk for event in claimed], until):  # renewed while it runs
            events_run_batch(claimed)
    return len(claimed)


def stripe_events_due(*, limit: int = SWEEP_BATCH) -> list[str]:
    """Event ids the sweeper would take: received or failed rows due for more than
    SWEEP_GRACE (workers take due rows within a poll; these have been waiting)."""
    cutoff = timezone.now() - SWEEP_GRACE
    return list(
        StripeEvent.objects.filter(
            status__in=[StripeEventStatus.RECEIVED, StripeEventStatus.FAILED],
            next_attempt_at__lte=cutoff,
        )
        .order_by("next_attempt_at")
        .values_list("event_id", flat=True)[:limit]
    )


def stripe_events_sweep(*, budget: int = SWEEP_BUDGET) -> int:
    """The safety net (every minute): process events due for more than SWEEP_GRACE: a
    retry whose backoff passed while no worker looked, a lease a killed worker left
    behind, any event when no worker loop runs. Returns how many it processed."""
    done = 0
    while done < budget:
        claimed = stripe_events_process_batch(
            limit=min(SWEEP_BATCH, budget - done), due_before=timezone.now() - SWEEP_GRACE
        )
        if not claimed:
            break
        done += claimed
    return done


def stripe_event_replay(*, event_id: str) -> str | None:
    """Process one stored event again, whatever its status (support, `stripe_events_replay`)."""
    if not StripeEvent.objects.filter(event_id=event_id).exists():
        raise StripeEvent.DoesNotExist(event_id)
    return stripe_event_process(event_id=event_id, force=True)


def stripe_events_replay_failed() -> dict[str, str | None]:
    """Process every failed event again now (including those past their last attempt)."""
    ids = list(
        StripeEvent.objects.filter(status=StripeEventStatus.FAILED).values_list(
            "event_id", flat=True
        )
    )
    return {event_id: stripe_event_process(event_id=event_id, force=True) for event_id in ids}


def stripe_events_purge(*, older_than: timedelta = RETENTION) -> int:
    """Delete processed and ignored events received before `older_than` ago (failed ones
    stay for support to look at). Stripe keeps events 30 days; so do we, and longer."""
    cutoff = timezone.now() - older_than
    deleted, _ = StripeEvent.objects.filter(
        status__in=[StripeEventStatus.PROCESSED, StripeEventStatus.IGNORED],
        received_at__lt=cutoff,
    ).delete()
    return deleted


def stripe_events_reconcile(*, since: datetime | None = None) -> dict:
    """Hourly: refresh every connected account from Stripe and store events whose
    delivery failed (`events.list(delivery_success=false)`); workers take them from there."""
    from firmpay.payments.connect.accounts import (
        payment_account_mark_deauthorized,
        payment_account_refresh,
    )

    since = since or timezone.now() - RECONCILE_WINDOW
    refreshed = pulled = failed = lost = 0
    accounts = PaymentAccount.objects.filter(disconnected_at__isnull=True).exclude(
        Q(stripe_account_id="")
    )
    for account in accounts.iterator():
        try:
            try:
                payment_account_refresh(account=account)
            except AccountAccessLost:
                # Disconnected on Stripe's side and the deauthorized event never came.
                payment_account_mark_deauthorized(account=account, at=timezone.now())
                lost += 1
                continue
            refreshed += 1
            for _event_id, payload in webhooks.events_undelivered(
                account_id=account.stripe_account_id, since=since
            ):
                pulled += stripe_event_store(payload=payload, data=json.loads(payload))
        except PaymentsError as error:
            failed += 1
            logger.warning("reconcile %s failed: %r", account.stripe_account_id, error)
    return {"refreshed": refreshed, "pulled": pulled, "failed": failed, "access_lost": lost}
