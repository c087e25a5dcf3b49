import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from firmpay.payments.models import StripeEvent

pytestmark = pytest.mark.django_db


def stored(event_id: str, **fields) -> StripeEvent:
    now = timezone.now()
    payload = json.dumps({"id": event_id, "type": "customer.created", "created": 1,
                          "data": {"object": {}}})  # fmt: skip
    values = {"type": "customer.created", "created": now, "payload": payload,
              "status": "received", "received_at": now - timedelta(minutes=2),
              "next_attempt_at": now - timedelta(minutes=1)} | fields  # fmt: skip
    return StripeEvent.objects.create(event_id=event_id, **values)


def catch_up() -> str:
    out = StringIO()
    call_command("stripe_catch_up", "--no-reconcile", stdout=out)
    return out.getvalue()


def status(event_id: str) -> str:
    return StripeEvent.objects.get(event_id=event_id).status


def test_catch_up_processes_what_a_lost_queue_or_a_dead_worker_left():
    now = timezone.now()
    stored("evt_lost_kick")  # never claimed: its kick was in Redis
    # Its lease last written 40 s ago by a worker that died (a live one renews every 20 s):
    # 20 s of the 60 s lease still run.
    stored("evt_dead_worker", attempts=1, next_attempt_at=now + timedelta(seconds=20))
    stored("evt_failed", status="failed", attempts=3, next_attempt_at=now + timedelta(hours=1))
    out = catch_up()
    assert "processed: 3" in out
    assert {status(e) for e in ("evt_lost_kick", "evt_dead_worker", "evt_failed")} == {"ignored"}


def test_catch_up_leaves_what_a_live_worker_may_be_doing():
    now = timezone.now()
    stored("evt_just_received", received_at=now, next_attempt_at=now)  # its kick is on its way
    stored("evt_just_claimed", attempts=1, next_attempt_at=now + timedelta(seconds=60))
    stored("evt_renewed", attempts=1, next_attempt_at=now + timedelta(seconds=45))
    stored("evt_done", status="processed", attempts=1, next_attempt_at=None)
    assert "processed: 0" in catch_up()
    assert status("evt_just_received") == "received"
    assert status("evt_just_claimed") == status("evt_renewed") == "received"
