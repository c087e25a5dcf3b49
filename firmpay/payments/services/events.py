"""Stripe events: ingest (webhook hot path), process (worker), sweep, replay, reconcile.

The ingest path is verify_header + one INSERT ... ON CONFLICT DO NOTHING; everything
else happens in the worker, through `services/facts.py:stripe_event_apply`.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from firmpay.payments.exceptions import AccountAccessLost, PaymentsError, WebhookPayloadInvalid
from firmpay.payments.models import PaymentAccount, StripeEvent, StripeEventStatus
from firmpay.payments.stripe import webhooks

logger = logging.getLogger("firmpay.payments.events")

# A claim pushes next_attempt_at this far ahead: a worker killed mid-event leaves the row
# `received`, due again once the lease ends, and the sweeper re-kicks it.
PROCESSING_LEASE = timedelta(minutes=5)
# The sweeper leaves rows this young to the kick enqueued at ingest.
SWEEP_GRACE = timedelta(seconds=30)
MAX_ATTEMPTS = 12
SWEEP_BATCH = 500
RECONCILE_WINDOW = timedelta(days=3)
RETENTION = timedelta(days=90)


def retry_delay(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... capped at 6 h."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 6 * 3600))


_INSERT_SQL = None


def _insert_sql() -> str:
    global _INSERT_SQL
    if _INSERT_SQL is None:
        qn = connection.ops.quote_name
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
        marks = ", ".join(["%s"] * len(columns))
        _INSERT_SQL = f"INSERT INTO {table} ({names}) VALUES ({marks}) "  # noqa: S608
        _INSERT_SQL += f"ON CONFLICT ({qn('event_id')}) DO NOTHING"
    return _INSERT_SQL


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
    now = timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    params = (
        event_id,
        event_type[:100],
        account,
        bool(data.get("livemode")),
        adapt(created),
        payload,
        StripeEventStatus.RECEIVED,
        0,
        adapt(now),
        "",
        adapt(now),
    )
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(), params)
        inserted = cursor.rowcount == 1
    if inserted:
        transaction.on_commit(lambda: _kick(event_id))
    return inserted


def stripe_event_ingest(*, payload: bytes, sig_header: str) -> tuple[str, bool]:
    """Verify the signature on the raw body, store the event, enqueue processing after
    commit. Returns (event id, created); created is False for a duplicate delivery.
    Raises WebhookSignatureInvalid or WebhookPayloadInvalid (answer 400, nothing stored)."""
    webhooks.verify(payload, sig_header)
    try:
        text = payload.decode("utf-8")
        data = json.loads(text)
    except (UnicodeDecodeError, ValueError) as error:
        raise WebhookPayloadInvalid("body is not JSON") from error
    if not isinstance(data, dict):
        raise WebhookPayloadInvalid("not a Stripe event")
    return data.get("id"), stripe_event_store(payload=text, data=data)


def _kick(event_id: str) -> None:
    from firmpay.payments.tasks import stripe_event_process_task

    try:
        stripe_event_process_task(event_id)
    except Exception:  # noqa: BLE001 - the row is stored; the sweeper will kick it
        logger.exception("could not enqueue %s; the sweeper will pick it up", event_id)


def stripe_event_process(*, event_id: str, force: bool = False) -> str | None:
    """Claim the event (one worker wins), dispatch it through the handler table, record
    the outcome. Returns the new status, or None when the row was not ours to process
    (already done, not due, or claimed by another worker). `force` reprocesses any row."""
    from firmpay.payments.services.facts import stripe_event_apply
    from firmpay.payments.stripe.mappers import event_envelope_from_payload

    claimed = _claim(event_id, force=force)
    if claimed is None:
        return None
    pk, payload, received_at, attempts = claimed
    try:
        envelope = event_envelope_from_payload(payload, received_at=received_at)
        outcome = stripe_event_apply(envelope)
    except Exception as error:  # noqa: BLE001 - recorded on the row, retried with backoff
        give_up = attempts >= MAX_ATTEMPTS
        logger.warning("stripe event %s failed (attempt %s): %r", event_id, attempts, error)
        StripeEvent.objects.filter(pk=pk).update(
            status=StripeEventStatus.FAILED,
            last_error=f"{type(error).__name__}: {error}"[:2000],
            next_attempt_at=None if give_up else timezone.now() + retry_delay(attempts),
        )
        return StripeEventStatus.FAILED
    _finish(pk, outcome)
    return outcome


# The worker's two statements per event are plain SQL: building them through the ORM
# cost more than running them (this path runs once per event, thousands per minute).
_SQL: dict[str, str] = {}


def _sql(name: str) -> str:
    if not _SQL:
        qn = connection.ops.quote_name
        table = qn(StripeEvent._meta.db_table)
        claim = (
            f"UPDATE {table} SET {qn('attempts')} = {qn('attempts')} + 1, "  # noqa: S608
            f"{qn('next_attempt_at')} = %s WHERE {qn('event_id')} = %s"
        )
        due = f" AND {qn('status')} IN ('received', 'failed') AND {qn('next_attempt_at')} <= %s"
        returning = f" RETURNING {qn('id')}, {qn('payload')}, {qn('received_at')}, {qn('attempts')}"
        _SQL["claim"] = claim + due + returning
        _SQL["claim_force"] = claim + returning
        _SQL["finish"] = (
            f"UPDATE {table} SET {qn('status')} = %s, {qn('last_error')} = '', "  # noqa: S608
            f"{qn('processed_at')} = %s, {qn('next_attempt_at')} = NULL WHERE {qn('id')} = %s"
        )
    return _SQL[name]


def _claim(event_id: str, *, force: bool):
    """Take the row for processing (one worker wins): attempts + 1 and a lease. Returns
    (pk, payload, received_at, attempts) or None when it is not ours to process."""
    now = timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    params = [adapt(now + PROCESSING_LEASE), event_id] + ([] if force else [adapt(now)])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_sql("claim_force" if force else "claim"), params)
        row = cursor.fetchone()
    if row is None:
        return None
    pk, payload, received_at, attempts = row
    if isinstance(received_at, str):  # SQLite hands back text
        received_at = parse_datetime(received_at)
    if received_at is not None and timezone.is_naive(received_at):
        received_at = timezone.make_aware(received_at, UTC)
    return pk, payload, received_at, attempts


def _finish(pk: int, outcome: str) -> None:
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(_sql("finish"), [outcome, adapt(timezone.now()), pk])


def stripe_events_due(*, limit: int = SWEEP_BATCH) -> list[str]:
    """Event ids the sweeper should kick: received or failed rows that are due (or whose
    processing lease ran out because the worker died)."""
    cutoff = timezone.now() - SWEEP_GRACE
    return list(
        StripeEvent.objects.filter(
            status__in=[StripeEventStatus.RECEIVED, StripeEventStatus.FAILED],
            next_attempt_at__lte=cutoff,
        )
        .order_by("next_attempt_at")
        .values_list("event_id", flat=True)[:limit]
    )


def stripe_events_sweep() -> int:
    """Kick every due event. Returns how many were kicked."""
    due = stripe_events_due()
    for event_id in due:
        _kick(event_id)
    return len(due)


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
    delivery failed (`events.list(delivery_success=false)`), then kick them."""
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
