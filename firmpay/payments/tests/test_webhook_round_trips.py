"""On PostgreSQL a webhook delivery costs the database ONE round trip: the prepared
INSERT ... ON CONFLICT DO NOTHING with its pg_notify, in autocommit (no BEGIN/COMMIT, no
SET or health-check statement, no Parse after the first delivery). Counted from libpq's
protocol trace of the request's connection."""

import re
import tempfile

import pytest
from django.db import connection as db_connection

from firmpay.payments.models import StripeEvent
from firmpay.payments.services import events
from firmpay.payments.tests.conftest import event_payload, notifications
from firmpay.payments.tests.test_webhook_lean_path import call, signed

pytestmark = [
    pytest.mark.skipif(
        db_connection.vendor != "postgresql", reason="the PostgreSQL wire protocol is counted"
    ),
    pytest.mark.usefixtures("stripe_settings"),
    pytest.mark.django_db(transaction=True),  # autocommit, as in production
]

MESSAGE = re.compile(r"^(?:\S+\t)?([FB])\t\d+\t(\w+)")


def frontend_messages(fn) -> list[str]:
    """The messages this process's connection sent to the server while `fn` ran."""
    from psycopg import pq

    raw = db_connection.connection.pgconn
    with tempfile.TemporaryFile("w+") as trace:
        raw.trace(trace.fileno())
        raw.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)
        try:
            fn()
        finally:
            raw.untrace()
        trace.seek(0)
        found = (MESSAGE.match(line) for line in trace.read().splitlines())
        return [m.group(2) for m in found if m and m.group(1) == "F"]


def deliver(event_id: str) -> dict:
    payload = event_payload(event_id=event_id)
    return call("POST", "/webhooks/stripe/", payload.encode(), signed(payload))


def test_a_webhook_delivery_is_one_round_trip_and_one_notification(settings, listener):
    settings.STRIPE_EVENTS_PROCESS_INLINE = False  # the worker's job, not the request's
    settings.STRIPE_EVENTS_NOTIFY_MS = 0  # every new row notifies (no burst window)
    assert deliver("evt_rt_first")["status"] == "200 OK"  # connects and prepares
    assert notifications(listener) == 1

    answers = []
    sent = frontend_messages(lambda: answers.append(deliver("evt_rt_second")))
    assert answers[0]["status"] == "200 OK"
    assert sent.count("Sync") == 1  # one round trip
    assert "Parse" not in sent and "Query" not in sent  # prepared; no BEGIN/COMMIT/SET
    assert StripeEvent.objects.filter(event_id="evt_rt_second").exists()
    assert notifications(listener) == 1  # the worker is woken by that same statement

    sent = frontend_messages(lambda: answers.append(deliver("evt_rt_second")))
    assert answers[1]["status"] == "200 OK" and b'"duplicate": true' in answers[1]["body"]
    assert sent.count("Sync") == 1 and "Query" not in sent
    assert notifications(listener) == 0  # a duplicate wakes nobody


def test_a_burst_of_deliveries_notifies_the_workers_once_per_window(
    settings, listener, monkeypatch
):
    settings.STRIPE_EVENTS_PROCESS_INLINE = False
    settings.STRIPE_EVENTS_NOTIFY_MS = 60_000
    monkeypatch.setattr(events, "_notified_at", -1e9)  # no notification in this window yet
    assert deliver("evt_rt_burst_1")["status"] == "200 OK"
    assert notifications(listener) == 1  # the first of the burst, at once
    deliver("evt_rt_burst_2")  # prepares the INSERT without pg_notify
    sent = frontend_messages(lambda: deliver("evt_rt_burst_3"))
    assert notifications(listener) == 0  # the rest of the window: the worker's tail finds them
    assert sent.count("Sync") == 1 and "Parse" not in sent and "Query" not in sent
    assert StripeEvent.objects.filter(event_id__startswith="evt_rt_burst_").count() == 3

    settings.STRIPE_EVENTS_NOTIFY_MS = 0  # the window has passed
    deliver("evt_rt_burst_4")
    assert notifications(listener) == 1


def test_only_the_webhook_insert_is_prepared_on_a_django_connection(settings):
    settings.STRIPE_EVENTS_PROCESS_INLINE = False
    deliver("evt_rt_threshold")
    # Django keeps statement preparation off for its own queries (connection poolers).
    assert db_connection.connection.prepare_threshold is None
