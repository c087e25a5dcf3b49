"""Fault injection: failing API calls and misbehaving event delivery."""

from __future__ import annotations

import json

import pytest
import stripe

from stripe_sandbox.tests.test_accounts import create_account
from stripe_sandbox.tests.test_webhooks import connect_endpoint, verified_events


def test_next_call_answers_500(stripe_sandbox, stripe_client):
    stripe_sandbox.control("POST", "faults", {"api": {"mode": "500", "count": 1}})
    with pytest.raises(stripe.APIError):
        stripe_client.v1.accounts.retrieve_current()
    assert stripe_client.v1.accounts.retrieve_current().object == "account"


def test_next_calls_answer_429(stripe_sandbox, stripe_client):
    stripe_sandbox.control("POST", "faults", {"api": {"mode": "429", "count": 2}})
    for _ in range(2):
        with pytest.raises(stripe.RateLimitError):
            stripe_client.v1.accounts.list()
    stripe_client.v1.accounts.list()


def test_sdk_retry_after_a_500_creates_once(stripe_sandbox):
    client = stripe_sandbox.client(max_network_retries=2)
    stripe_sandbox.control("POST", "faults", {"api": {"mode": "500", "count": 1}})
    client.v1.accounts.create(params={"email": "retry@firm.example"})
    assert len(client.v1.accounts.list().data) == 1


def test_a_hanging_call_times_out(stripe_sandbox):
    client = stripe_sandbox.client(http_client=stripe.RequestsClient(timeout=0.3))
    stripe_sandbox.control(
        "POST", "faults", {"api": {"mode": "hang", "count": 1, "hang_seconds": 1}}
    )
    with pytest.raises(stripe.APIConnectionError):
        client.v1.accounts.retrieve_current()


def _two_events(stripe_sandbox, stripe_client, receiver, fault):
    endpoint = connect_endpoint(stripe_client, receiver.url, ["account.updated"])
    account = create_account(stripe_client)
    stripe_sandbox.control("POST", "faults", {"events": fault})
    stripe_client.v1.accounts.update(account.id, params={"email": "one@firm.example"})
    stripe_client.v1.accounts.update(account.id, params={"email": "two@firm.example"})
    return endpoint, account


def test_duplicated_events_arrive_twice(stripe_sandbox, stripe_client, webhook_receiver):
    endpoint, _ = _two_events(
        stripe_sandbox, stripe_client, webhook_receiver, {"mode": "duplicate", "count": 1}
    )
    webhook_receiver.wait_for(3)
    stripe_sandbox.drain()
    ids = [e.id for e in verified_events(stripe_client, webhook_receiver, endpoint.secret)]
    assert len(ids) == 3 and ids[0] == ids[1] != ids[2]


def test_shuffled_events_arrive_out_of_order(stripe_sandbox, stripe_client, webhook_receiver):
    endpoint, account = _two_events(
        stripe_sandbox, stripe_client, webhook_receiver, {"mode": "shuffle", "count": 2}
    )
    webhook_receiver.wait_for(2)
    emails = [
        e.data.object.email
        for e in verified_events(stripe_client, webhook_receiver, endpoint.secret)
    ]
    assert emails == ["two@firm.example", "one@firm.example"]


def test_delayed_events_wait_for_the_clock(stripe_sandbox, stripe_client, webhook_receiver):
    _two_events(
        stripe_sandbox,
        stripe_client,
        webhook_receiver,
        {"mode": "delay", "count": 2, "delay_seconds": 600},
    )
    stripe_sandbox.drain()
    assert webhook_receiver.received == []
    stripe_sandbox.advance(minutes=11)
    assert len(webhook_receiver.wait_for(2)) == 2


def test_dropped_events_show_up_as_undelivered(stripe_sandbox, stripe_client, webhook_receiver):
    _, account = _two_events(
        stripe_sandbox, stripe_client, webhook_receiver, {"mode": "drop", "count": 1}
    )
    webhook_receiver.wait_for(1)
    stripe_sandbox.drain()
    delivered = json.loads(webhook_receiver.received[0]["body"])
    assert delivered["data"]["object"]["email"] == "two@firm.example"
    missed = stripe_client.v1.events.list(
        params={"delivery_success": False}, options={"stripe_account": account.id}
    )
    assert [e.data.object.email for e in missed.data] == ["one@firm.example"]
    ok = stripe_client.v1.events.list(
        params={"delivery_success": True, "type": "account.updated"},
        options={"stripe_account": account.id},
    )
    assert "two@firm.example" in [e.data.object.email for e in ok.data]


def test_faults_can_be_cleared(stripe_sandbox, stripe_client):
    stripe_sandbox.control("POST", "faults", {"api": {"mode": "500", "count": 5}})
    assert stripe_sandbox.control("DELETE", "faults") == {"api": None, "events": None}
    stripe_client.v1.accounts.retrieve_current()
