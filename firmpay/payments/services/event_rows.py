"""The StripeEvent row as a work item: claim (one or a batch, under a lease), finish, fail.

Plain SQL on purpose: these statements run for every event, thousands per minute, and
building them through the ORM cost more than running them. Identifiers come from the
model, values are bound parameters. Both SQLite (3.35+, RETURNING) and PostgreSQL.
"""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from django.db import connection, connections
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from firmpay.payments.models import StripeEvent, StripeEventStatus

logger = logging.getLogger("firmpay.payments.events")

# A claim pushes next_attempt_at this far ahead, and the claiming process renews it every
# LEASE_RENEW_EVERY while it works on the batch (`lease_kept`): a worker killed mid-batch
# leaves its rows `received`, due again within a lease, and any worker takes them. A batch
# still unfinished after LEASE_MAX (a stuck worker) is no longer renewed.
PROCESSING_LEASE = timedelta(seconds=60)
LEASE_RENEW_EVERY = timedelta(seconds=20)
LEASE_MAX = timedelta(minutes=10)
MAX_ATTEMPTS = 12
UNFINISHED = (StripeEventStatus.RECEIVED, StripeEventStatus.FAILED)


class ClaimedEvent(NamedTuple):
    pk: int
    event_id: str
    type: str
    account_id: str
    payload: str
    received_at: datetime | None
    attempts: int


def retry_delay(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... capped at 6 h."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 6 * 3600))


_SQL: dict[tuple[str, str], str] = {}


def _sql(name: str) -> str:
    key = (connection.vendor, name)
    if key not in _SQL:
        _SQL.update(_build(connection.vendor))
    return _SQL[key]


def _build(vendor: str) -> dict[tuple[str, str], str]:
    qn = connection.ops.quote_name
    table = qn(StripeEvent._meta.db_table)
    lease = (
        f"UPDATE {table} SET {qn('attempts')} = {qn('attempts')} + 1, "  # noqa: S608
        f"{qn('next_attempt_at')} = %s "
    )
    columns = ("id", "event_id", "type", "account_id", "payload", "received_at", "attempts")
    returning = " RETURNING " + ", ".join(qn(c) for c in columns)
    due = f"{qn('status')} IN ('received', 'failed') AND {qn('next_attempt_at')} <= %s"
    # Served by stripe_event_due_idx (status, next_attempt_at): only unfinished rows are read.
    pick = f"SELECT {qn('id')} FROM {table} WHERE {due} ORDER BY {qn('next_attempt_at')} LIMIT %s"  # noqa: S608
    if vendor == "postgresql":
        pick += " FOR UPDATE SKIP LOCKED"  # concurrent workers take different rows
    finish = (
        f"UPDATE {table} SET {qn('status')} = %s, {qn('last_error')} = '', "  # noqa: S608
        f"{qn('processed_at')} = %s, {qn('next_attempt_at')} = NULL WHERE {qn('id')} IN "
    )
    renew = (
        f"UPDATE {table} SET {qn('next_attempt_at')} = %s WHERE {qn('next_attempt_at')} = %s "  # noqa: S608
        f"AND {qn('status')} IN ('received', 'failed') AND {qn('id')} IN "
    )
    return {
        (vendor, "renew"): renew,
        (vendor, "claim"): lease + f"WHERE {qn('event_id')} = %s AND {due}" + returning,
        (vendor, "claim_force"): lease + f"WHERE {qn('event_id')} = %s" + returning,
        (vendor, "claim_batch"): lease + f"WHERE {qn('id')} IN ({pick})" + returning,
        (vendor, "any_due"): f"SELECT 1 FROM {table} WHERE {due} LIMIT 1",  # noqa: S608
        (vendor, "finish"): finish,
        (vendor, "fail"): (
            f"UPDATE {table} SET {qn('status')} = 'failed', {qn('last_error')} = %s, "  # noqa: S608
            f"{qn('next_attempt_at')} = %s WHERE {qn('id')} = %s"
        ),
    }


def _adapt(value: datetime | None):
    return connection.ops.adapt_datetimefield_value(value)


def _claimed(row) -> ClaimedEvent:
    pk, event_id, event_type, account_id, payload, received_at, attempts = row
    if isinstance(received_at, str):  # SQLite hands back text
        received_at = parse_datetime(received_at)
    if received_at is not None and timezone.is_naive(received_at):
        received_at = timezone.make_aware(received_at, UTC)
    return ClaimedEvent(pk, event_id, event_type, account_id, payload, received_at, attempts)


def event_claim(*, event_id: str, force: bool = False) -> ClaimedEvent | None:
    """Take one row for processing (one worker wins): attempts + 1 and a lease. None when
    it is not ours (finished, not due, or leased to another worker); `force` takes any row."""
    return event_claim_leased(event_id=event_id, force=force)[0]


def event_claim_leased(
    *, event_id: str, force: bool = False
) -> tuple[ClaimedEvent | None, datetime]:
    """`event_claim` and the lease's end (for `lease_kept`)."""
    now = timezone.now()
    until = now + PROCESSING_LEASE
    params = [_adapt(until), event_id] + ([] if force else [_adapt(now)])
    with connection.cursor() as cursor:  # one statement: atomic on its own
        cursor.execute(_sql("claim_force" if force else "claim"), params)
        row = cursor.fetchone()
    return (None if row is None else _claimed(row)), until


def events_claim_batch(*, limit: int, due_before: datetime | None = None) -> list[ClaimedEvent]:
    """Up to `limit` due rows (oldest due first) under one lease, in one statement.
    `due_before` (default now) lets the sweeper leave the youngest rows to the workers."""
    return events_claim_leased(limit=limit, due_before=due_before)[0]


def events_claim_leased(
    *, limit: int, due_before: datetime | None = None
) -> tuple[list[ClaimedEvent], datetime]:
    """`events_claim_batch` and the lease's end: every claimed row's next_attempt_at,
    which `events_lease_renew` matches to renew only this claim's unfinished rows."""
    now = timezone.now()
    until = now + PROCESSING_LEASE
    params = [_adapt(until), _adapt(due_before or now), limit]
    with connection.cursor() as cursor:  # one statement: atomic on its own
        cursor.execute(_sql("claim_batch"), params)
        rows = cursor.fetchall()
    # In arrival order: PostgreSQL's UPDATE ... RETURNING does not keep the subquery's
    # order (SQLite happens to), and a batch applies an account's events in claim order.
    return sorted((_claimed(row) for row in rows), key=lambda event: event.pk), until


def events_lease_renew(*, pks: list[int], until: datetime) -> tuple[datetime, int]:
    """Push the lease of the claim that set next_attempt_at to `until` one lease ahead,
    on the rows still unfinished. A row finished (NULL), failed (its retry time) or claimed
    again by another worker (its lease) no longer holds `until` and is left alone.
    Returns the new end and how many rows it renewed."""
    new_until = timezone.now() + PROCESSING_LEASE
    if not pks:
        return new_until, 0
    marks = ", ".join(["%s"] * len(pks))
    with connection.cursor() as cursor:  # one statement: atomic on its own
        cursor.execute(_sql("renew") + f"({marks})", [_adapt(new_until), _adapt(until), *pks])
        renewed = cursor.rowcount
    return new_until, renewed


@contextmanager
def lease_kept(pks: list[int], until: datetime, *, every: timedelta | None = None):
    """While the block runs, a thread renews the claim's lease every LEASE_RENEW_EVERY
    (for at most LEASE_MAX), on a database connection of its own."""
    stop = threading.Event()
    interval = (every or LEASE_RENEW_EVERY).total_seconds()

    def renew() -> None:
        current, deadline = until, timezone.now() + LEASE_MAX
        try:
            while not stop.wait(interval) and timezone.now() < deadline:
                try:
                    current, renewed = events_lease_renew(pks=pks, until=current)
                except Exception:  # noqa: BLE001 - the lease runs out; another worker retakes
                    logger.exception("stripe events: could not renew a batch's lease")
                    continue
                if not renewed:
                    return  # every row finished (or was taken over)
        finally:
            connections.close_all()  # this thread's own connection

    keeper = threading.Thread(target=renew, name="stripe-events-lease", daemon=True)
    keeper.start()
    try:
        yield
    finally:
        stop.set()
        keeper.join()


def events_any_due() -> bool:
    """A read (no write lock on SQLite): is any row due now? The idle worker's poll."""
    with connection.cursor() as cursor:
        cursor.execute(_sql("any_due"), [_adapt(timezone.now())])
        return cursor.fetchone() is not None


def events_finish(*, pks: list[int], status: str) -> None:
    """Record `status` (processed, ignored or flagged: all final) on the rows, in one statement."""
    if not pks:
        return
    marks = ", ".join(["%s"] * len(pks))
    with connection.cursor() as cursor:
        cursor.execute(_sql("finish") + f"({marks})", [status, _adapt(timezone.now()), *pks])


def events_finish_each(statuses: dict[str, list[int]]) -> None:
    """`events_finish` for several statuses (each with its rows) in one statement."""
    statuses = {status: pks for status, pks in statuses.items() if pks}
    if len(statuses) <= 1:
        for status, pks in statuses.items():
            events_finish(pks=pks, status=status)
        return
    qn = connection.ops.quote_name
    cases, params, every = [], [], []
    for status, pks in statuses.items():
        cases.append(f"WHEN {qn('id')} IN ({', '.join(['%s'] * len(pks))}) THEN %s")
        params += [*pks, status]
        every += pks
    status_sql = f"CASE {' '.join(cases)} END"
    sql = _sql("finish").replace(f"{qn('status')} = %s", f"{qn('status')} = {status_sql}", 1)
    with connection.cursor() as cursor:
        cursor.execute(
            sql + f"({', '.join(['%s'] * len(every))})",
            [*params, _adapt(timezone.now()), *every],
        )


def event_fail(*, event: ClaimedEvent, error: BaseException) -> None:
    """Record the error; due again after the backoff, or never after MAX_ATTEMPTS (until
    replayed)."""
    give_up = event.attempts >= MAX_ATTEMPTS
    retry_at = None if give_up else timezone.now() + retry_delay(event.attempts)
    message = f"{type(error).__name__}: {error}"[:2000]
    with connection.cursor() as cursor:
        cursor.execute(_sql("fail"), [message, _adapt(retry_at), event.pk])
