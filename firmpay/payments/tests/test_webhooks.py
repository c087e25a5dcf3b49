"""The webhook endpoint, event processing, the sweeper, replay and reconciliation."""

import json
import os
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from firmpay.core.models import AuditRecord
from firmpay.payments.connect.accounts import payment_account_snapshot_store
from firmpay.payments.connect.selectors import payment_account_for_firm
from firmpay.payments.models import PaymentAccount, StripeEvent
from firmpay.payments.services import (
    payment_account_create,
    stripe_event_process,
    stripe_events_reconcile,
    stripe_events_sweep,
)
from firmpay.payments.stripe import webhooks
from firmpay.payments.stripe.dataclasses import AccountSnapshot
from firmpay.payments.tests.conftest import (
    WEBHOOK_SECRET,
    account_state,
    event_payload,
    post_event,
)

pytestmark = [pytest.mark.usefixtures("stripe_settings"), pytest.mark.django_db]


@pytest.fixture
def account(firm, owner):
    return payment_account_create(firm=firm, actor=owner)


@pytest.fixture
def deliver(client, django_capture_on_commit_callbacks):
    """POST a signed event and let the kick it enqueues run (Huey is immediate in tests)."""

    def send(payload, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return post_event(client, payload, **kwargs)

    return send


def test_valid_event_is_stored_and_acknowledged(client):
    payload = event_payload(event_id="evt_store_1")
    response = post_event(client, payload)
    assert response.status_code == 200
    event = StripeEvent.objects.get(event_id="evt_store_1")
    assert (event.type, event.account_id, event.status) == (
        "account.updated",
        "acct_unknown",
        "received",
    )
    assert event.payload == payload


def test_same_event_delivered_five_times_is_processed_once(account, deliver, stripe_sandbox):
    account_state(stripe_sandbox, account.stripe_account_id, "verified")
    payload = event_payload(event_id="evt_five", account=account.stripe_account_id)
    responses = [deliver(payload) for _ in range(5)]
    assert [r.status_code for r in responses] == [200] * 5
    assert [r.json()["duplicate"] for r in responses] == [False, True, True, True, True]
    event = StripeEvent.objects.get(event_id="evt_five")
    assert (event.status, event.attempts) == ("processed", 1)
    account.refresh_from_db()
    assert account.status == "active"


def test_events_delivered_in_reverse_order_end_in_the_right_state(
    account, deliver, stripe_sandbox, stripe_client
):
    acct = account.stripe_account_id
    account_state(stripe_sandbox, acct, "verified")
    account_state(stripe_sandbox, acct, "requirements_due", deadline_in_days=3)
    account_state(stripe_sandbox, acct, "verified")
    events = stripe_client.v1.events.list(
        params={"type": "account.updated", "limit": 100}, options={"stripe_account": acct}
    ).data
    assert len(events) >= 3
    for event in events:  # newest first: the reverse of how they happened
        deliver(json.dumps(event.to_dict()))
    assert set(StripeEvent.objects.values_list("status", flat=True)) == {"processed"}
    account.refresh_from_db()
    assert account.status == "active" and account.payouts_status == "active"


def test_an_older_read_never_overwrites_a_newer_one(account):
    newer = AccountSnapshot(
        id=account.stripe_account_id, details_submitted=True, charges_enabled=True
    )
    older = AccountSnapshot(id=account.stripe_account_id, details_submitted=False)
    now = timezone.now()
    payment_account_snapshot_store(account_pk=account.pk, snapshot=newer, as_of=now)
    payment_account_snapshot_store(
        account_pk=account.pk, snapshot=older, as_of=now - timedelta(seconds=5)
    )
    account.refresh_from_db()
    assert account.status == "active" and account.snapshot_at == now


@pytest.mark.parametrize(
    "header",
    [
        "",
        "t=123,v1=deadbeef",
        "garbage",
        webhooks.sign(event_payload(event_id="evt_other"), WEBHOOK_SECRET),  # another body
        webhooks.sign(event_payload(event_id="evt_bad"), "whsec_wrong"),
    ],
    ids=["missing", "wrong-signature", "malformed", "other-body", "wrong-secret"],
)
def test_bad_signature_is_refused_and_nothing_stored(client, header):
    response = post_event(client, event_payload(event_id="evt_bad"), header=header)
    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


def test_stale_signature_is_refused_and_nothing_stored(client):
    payload = event_payload(event_id="evt_stale")
    response = post_event(client, payload, timestamp=int(time.time()) - 301)
    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


def test_get_is_not_allowed(client):
    assert client.get("/webhooks/stripe/").status_code == 405


def test_oversized_body_is_refused(client, settings):
    settings.STRIPE_WEBHOOK_MAX_BYTES = 100
    response = post_event(client, event_payload(event_id="evt_big", object={"x": "y" * 200}))
    assert response.status_code == 413
    assert not StripeEvent.objects.exists()


def test_signed_non_event_is_refused(client):
    response = post_event(client, json.dumps({"hello": "world"}))
    assert response.status_code == 400


def test_two_secrets_are_accepted_while_one_is_rolled(client, settings):
    new = "whsec_rolled_new_000000000000000000"
    settings.STRIPE_WEBHOOK_SECRET = [WEBHOOK_SECRET, new]
    first, second = (
        event_payload(event_id="evt_old_secret"),
        event_payload(event_id="evt_new_secret"),
    )
    assert post_event(client, first, secret=WEBHOOK_SECRET).status_code == 200
    assert post_event(client, second, secret=new).status_code == 200
    # Stripe signs with both secrets during the roll: one header, two v1 signatures.
    both = event_payload(event_id="evt_both")
    header = webhooks.sign(both, "whsec_unknown") + "," + webhooks.sign(both, new).split(",")[1]
    assert post_event(client, both, header=header).status_code == 200
    assert StripeEvent.objects.count() == 3


def test_unknown_type_and_unknown_account_are_stored_and_ignored(deliver, account):
    deliver(
        event_payload(
            event_id="evt_type", type="issuing.card.created", account=account.stripe_account_id
        )
    )
    deliver(event_payload(event_id="evt_acct", account="acct_nobody"))
    assert dict(StripeEvent.objects.values_list("event_id", "status")) == {
        "evt_type": "ignored",
        "evt_acct": "ignored",
    }


def test_worker_killed_mid_event_is_caught_up_by_the_sweeper(client, account, stripe_sandbox):
    account_state(stripe_sandbox, account.stripe_account_id, "verified")
    post_event(client, event_payload(event_id="evt_killed", account=account.stripe_account_id))
    # A worker claimed the row and died: the row stays `received`, leased for a while.
    StripeEvent.objects.filter(event_id="evt_killed").update(
        attempts=1, next_attempt_at=timezone.now() + timedelta(minutes=5)
    )
    assert stripe_events_sweep() == 0  # still leased
    StripeEvent.objects.filter(event_id="evt_killed").update(
        next_attempt_at=timezone.now() - timedelta(minutes=1)
    )
    assert stripe_events_sweep() == 1
    event = StripeEvent.objects.get(event_id="evt_killed")
    assert (event.status, event.attempts) == ("processed", 2)
    account.refresh_from_db()
    assert account.status == "active"


def test_an_event_claimed_by_one_worker_is_not_processed_by_another(client, account):
    post_event(client, event_payload(event_id="evt_race", account=account.stripe_account_id))
    assert stripe_event_process(event_id="evt_race") == "processed"
    assert stripe_event_process(event_id="evt_race") is None
    assert StripeEvent.objects.get(event_id="evt_race").attempts == 1


def test_failure_is_recorded_with_backoff_and_replay_recovers_it(client, account, stripe_sandbox):
    post_event(client, event_payload(event_id="evt_fail", account=account.stripe_account_id))
    stripe_sandbox.control("POST", "faults", {"api": {"mode": "500", "count": 3}})
    assert stripe_event_process(event_id="evt_fail") == "failed"
    event = StripeEvent.objects.get(event_id="evt_fail")
    assert event.status == "failed" and "StripeUnavailable" in event.last_error
    assert event.next_attempt_at > timezone.now()
    assert stripe_event_process(event_id="evt_fail") is None  # not due yet
    call_command("stripe_events_replay", "--failed")
    event.refresh_from_db()
    assert (event.status, event.last_error, event.attempts) == ("processed", "", 2)


def test_replay_by_id_processes_again(client, account):
    post_event(client, event_payload(event_id="evt_replay", account=account.stripe_account_id))
    stripe_event_process(event_id="evt_replay")
    call_command("stripe_events_replay", "--id", "evt_replay")
    assert StripeEvent.objects.get(event_id="evt_replay").attempts == 2


def test_deauthorized_from_stripes_side_disconnects_and_is_audited(firm, account, deliver):
    payload = event_payload(
        event_id="evt_deauth",
        type="account.application.deauthorized",
        account=account.stripe_account_id,
        object={"id": "ca_x", "object": "application"},
    )
    deliver(payload)
    assert payment_account_for_firm(firm=firm) is None
    row = PaymentAccount.objects.get(pk=account.pk)
    assert row.deauthorized_at and row.disconnected_at and row.status == "not_connected"
    assert AuditRecord.objects.filter(firm=firm, action="payments.account_deauthorized").exists()
    # The banner it raises, and its clearing on connecting again: integrations/tests/test_banners.py.
    assert payment_account_create(firm=firm, actor=firm.owner).pk != account.pk


def test_old_deauthorization_does_not_cut_a_newer_connection(account, deliver):
    old = int((account.created_at - timedelta(hours=1)).timestamp())
    deliver(
        event_payload(
            event_id="evt_old_deauth",
            type="account.application.deauthorized",
            account=account.stripe_account_id,
            created=old,
        )
    )
    assert StripeEvent.objects.get(event_id="evt_old_deauth").status == "ignored"
    assert PaymentAccount.objects.get(pk=account.pk).disconnected_at is None


def test_reconciliation_refreshes_accounts_and_pulls_missed_events(
    account, stripe_sandbox, stripe_client
):
    stripe_client.v1.webhook_endpoints.create(
        params={"url": "http://127.0.0.1:9/unreachable", "connect": True, "enabled_events": ["*"]}
    )
    account_state(stripe_sandbox, account.stripe_account_id, "verified")
    stripe_sandbox.drain()
    result = stripe_events_reconcile()
    assert result["refreshed"] == 1 and result["pulled"] >= 1
    account.refresh_from_db()
    assert account.status == "active"
    assert StripeEvent.objects.filter(account_id=account.stripe_account_id).exists()


def test_stripe_setup_registers_the_endpoint_once_and_stores_its_secret(
    client, settings, stripe_client
):
    settings.STRIPE_WEBHOOK_SECRET = []
    call_command("stripe_setup")
    call_command("stripe_setup")
    endpoints = stripe_client.v1.webhook_endpoints.list().data
    assert [e.url for e in endpoints] == [settings.SITE_URL + "/webhooks/stripe/"]
    secret = webhooks.stored_secret()
    assert secret.startswith("whsec_")
    assert post_event(client, event_payload(event_id="evt_setup"), secret=secret).status_code == 200


def test_failed_event_is_retried_by_the_sweeper_once_its_backoff_passes(
    client, account, stripe_sandbox
):
    post_event(client, event_payload(event_id="evt_retry", account=account.stripe_account_id))
    stripe_sandbox.control("POST", "faults", {"api": {"mode": "500", "count": 3}})
    assert stripe_event_process(event_id="evt_retry") == "failed"
    assert stripe_events_sweep() == 0  # backing off
    StripeEvent.objects.filter(event_id="evt_retry").update(
        next_attempt_at=timezone.now() - timedelta(minutes=1)
    )
    assert stripe_events_sweep() == 1
    assert StripeEvent.objects.get(event_id="evt_retry").status == "processed"


def test_event_that_keeps_failing_stops_being_retried_until_replayed(
    client, account, stripe_sandbox
):
    post_event(client, event_payload(event_id="evt_doomed", account=account.stripe_account_id))
    StripeEvent.objects.filter(event_id="evt_doomed").update(attempts=11)
    stripe_sandbox.control("POST", "faults", {"api": {"mode": "500", "count": 3}})
    assert stripe_event_process(event_id="evt_doomed") == "failed"
    event = StripeEvent.objects.get(event_id="evt_doomed")
    assert event.attempts == 12 and event.next_attempt_at is None
    assert stripe_events_sweep() == 0
    call_command("stripe_events_replay", "--failed")
    assert StripeEvent.objects.get(event_id="evt_doomed").status == "processed"


def test_old_finished_events_are_purged_but_failed_ones_kept(client):
    from firmpay.payments.services import stripe_events_purge

    for event_id in ("evt_old_done", "evt_old_failed", "evt_new_done"):
        post_event(client, event_payload(event_id=event_id))
    old = timezone.now() - timedelta(days=91)
    StripeEvent.objects.filter(event_id="evt_old_done").update(status="ignored", received_at=old)
    StripeEvent.objects.filter(event_id="evt_old_failed").update(status="failed", received_at=old)
    StripeEvent.objects.filter(event_id="evt_new_done").update(status="processed")
    assert stripe_events_purge() == 1
    assert set(StripeEvent.objects.values_list("event_id", flat=True)) == {
        "evt_old_failed",
        "evt_new_done",
    }


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_for_one_event_process_it_once(client, make_firm):
    import threading

    from django.db import connection

    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    post_event(client, event_payload(event_id="evt_race2", account="acct_nobody"))
    # (the kick already ran at commit: put the row back as freshly received)
    StripeEvent.objects.filter(event_id="evt_race2").update(
        status="received", attempts=0, next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    barrier, outcomes = threading.Barrier(4), []

    def work():
        barrier.wait()
        try:
            outcomes.append(stripe_event_process(event_id="evt_race2"))
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes, key=str) == sorted(["ignored", None, None, None], key=str)
    assert StripeEvent.objects.get(event_id="evt_race2").attempts == 1


def test_a_secret_another_process_stores_is_accepted_within_a_second(
    settings, tmp_path, monkeypatch
):
    """The stored secret's file is looked at once a second, not per delivery."""
    settings.STRIPE_WEBHOOK_SECRET_FILE = str(tmp_path / "secret")
    clock = [1000.0]
    monkeypatch.setattr(webhooks.time, "monotonic", lambda: clock[0])
    (tmp_path / "secret").write_text("whsec_first")
    assert webhooks.stored_secret() == "whsec_first"
    (tmp_path / "secret").write_text("whsec_second")  # as `stripe_setup` elsewhere would
    later = time.time() + 5
    os.utime(tmp_path / "secret", (later, later))
    clock[0] += 0.5
    assert webhooks.stored_secret() == "whsec_first"  # not looked at yet
    clock[0] += 0.6
    assert webhooks.stored_secret() == "whsec_second"
