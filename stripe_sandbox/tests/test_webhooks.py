"""Webhook endpoints and signed, retried, asynchronous delivery."""

from __future__ import annotations

import json

import pytest
import stripe

from stripe_sandbox.tests.test_accounts import create_account


def connect_endpoint(client, url, events=("*",), connect=True):
    return client.v1.webhook_endpoints.create(
        params={"url": url, "enabled_events": list(events), "connect": connect}
    )


def verified_events(client, receiver, secret):
    """Every delivery must verify with construct_event; returns the events."""
    with receiver.lock:
        received = list(receiver.received)
    return [
        client.construct_event(r["body"], r["headers"]["Stripe-Signature"], secret)
        for r in received
    ]


def test_endpoint_crud_and_secret_only_on_create(stripe_client):
    endpoint = connect_endpoint(stripe_client, "http://127.0.0.1:9/hook", ["account.updated"])
    assert endpoint.id.startswith("we_") and endpoint.secret.startswith("whsec_")
    assert endpoint.application is not None
    fetched = stripe_client.v1.webhook_endpoints.retrieve(endpoint.id)
    assert "secret" not in fetched.to_dict()
    updated = stripe_client.v1.webhook_endpoints.update(endpoint.id, params={"disabled": True})
    assert updated.status == "disabled"
    assert [e.id for e in stripe_client.v1.webhook_endpoints.list().data] == [endpoint.id]
    assert stripe_client.v1.webhook_endpoints.delete(endpoint.id).deleted


def test_unknown_event_type_is_rejected(stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        connect_endpoint(stripe_client, "http://127.0.0.1:9/hook", ["account.updatd"])
    assert caught.value.param == "enabled_events[0]"


def test_connect_endpoint_gets_signed_connected_account_events(
    stripe_sandbox, stripe_client, webhook_receiver
):
    endpoint = connect_endpoint(stripe_client, webhook_receiver.url)
    platform_endpoint = connect_endpoint(
        stripe_client, webhook_receiver.url + "?platform", connect=False
    )
    account = create_account(stripe_client)
    stripe_sandbox.control("POST", f"accounts/{account.id}/state", {"state": "verified"})
    stripe_sandbox.drain()
    events = verified_events(stripe_client, webhook_receiver, endpoint.secret)
    types = [e.type for e in events]
    assert "account.updated" in types and "capability.updated" in types
    assert all(e.account == account.id for e in events)
    assert all(r["path"] == "/webhooks/stripe" for r in webhook_receiver.received)
    updated = next(e for e in events if e.type == "account.updated")
    assert updated.data.object.charges_enabled is True
    assert updated.data.previous_attributes.charges_enabled is False
    assert (
        platform_endpoint.id
    )  # received nothing: connected-account events are not platform events


def test_platform_endpoint_gets_platform_events(stripe_sandbox, stripe_client, webhook_receiver):
    endpoint = connect_endpoint(stripe_client, webhook_receiver.url, connect=False)
    stripe_client.v1.accounts.update(
        "acct_1SandboxPlatform00", params={"business_profile": {"url": "https://p.example"}}
    )
    stripe_sandbox.control(
        "POST", "accounts/acct_1SandboxPlatform00/state", {"state": "payouts_disabled"}
    )
    stripe_sandbox.drain()
    events = verified_events(stripe_client, webhook_receiver, endpoint.secret)
    assert [e.type for e in events] == ["account.updated", "account.updated"]
    assert all(getattr(e, "account", None) is None for e in events)
    assert events[1].data.object.payouts_enabled is False


def test_failed_deliveries_are_retried_with_backoff(
    stripe_sandbox, stripe_client, webhook_receiver
):
    webhook_receiver.script = [500, 503]
    endpoint = connect_endpoint(stripe_client, webhook_receiver.url, ["account.updated"])
    account = create_account(stripe_client)
    stripe_client.v1.accounts.update(account.id, params={"email": "new@firm.example"})
    received = webhook_receiver.wait_for(1, timeout=5)
    event = json.loads(received[0]["body"])
    log = stripe_sandbox.control("GET", f"events/{event['id']}/deliveries")["deliveries"]
    assert [a["status"] for a in log[0]["log"]] == [500, 503, 200]
    assert log[0]["status"] == "succeeded"
    assert (
        stripe_client.v1.events.retrieve(
            event["id"], options={"stripe_account": account.id}
        ).pending_webhooks
        == 0
    )
    verified_events(stripe_client, webhook_receiver, endpoint.secret)


def test_rolled_secret_signs_with_old_and_new(stripe_sandbox, stripe_client, webhook_receiver):
    endpoint = connect_endpoint(stripe_client, webhook_receiver.url, ["account.updated"])
    rolled = stripe_sandbox.control(
        "POST", f"webhook_endpoints/{endpoint.id}/roll_secret", {"expires_in": 3600}
    )
    account = create_account(stripe_client)
    stripe_client.v1.accounts.update(account.id, params={"email": "x@firm.example"})
    webhook_receiver.wait_for(1)
    header = webhook_receiver.received[0]["headers"]["Stripe-Signature"]
    assert header.count("v1=") == 2
    verified_events(stripe_client, webhook_receiver, endpoint.secret)
    verified_events(stripe_client, webhook_receiver, rolled["secret"])
    stripe_sandbox.advance(hours=2)
    assert (
        stripe_sandbox.control(
            "POST", f"webhook_endpoints/{endpoint.id}/roll_secret", {"expires_in": 0}
        )["signing_secrets"]
        != []
    )


def test_events_list_filters(stripe_sandbox, stripe_client):
    account = create_account(stripe_client)
    stripe_sandbox.control("POST", f"accounts/{account.id}/state", {"state": "verified"})
    opts = {"stripe_account": account.id}
    all_events = stripe_client.v1.events.list(options=opts)
    assert {e.type for e in all_events.data} == {"account.updated", "capability.updated"}
    only = stripe_client.v1.events.list(params={"type": "capability.updated"}, options=opts)
    assert {e.data.object.id for e in only.data} == {
        "card_payments",
        "transfers",
        "us_bank_account_ach_payments",
    }
    first = stripe_client.v1.events.list(params={"limit": 1}, options=opts)
    assert first.has_more and len(first.data) == 1
    rest = stripe_client.v1.events.list(params={"starting_after": first.data[0].id}, options=opts)
    assert len(rest.data) == len(all_events.data) - 1
    future = stripe_client.v1.events.list(
        params={"created": {"gt": all_events.data[0].created + 10}}, options=opts
    )
    assert future.data == []
    # Events of a connected account are not the platform's.
    assert stripe_client.v1.events.list().data == []
