"""Webhook endpoints carry `api_version`, and events are rendered for an
endpoint in its version (or the platform's default version without one)."""

from __future__ import annotations

import json

import pytest
import stripe

from stripe_sandbox.tests.test_accounts import create_account

PINNED = stripe.api_version
OLDER = "2025-03-31.basil"


def endpoint(client, url, **extra):
    params = {"url": url, "enabled_events": ["account.updated"], "connect": True, **extra}
    return client.v1.webhook_endpoints.create(params=params)


def one_update(client) -> str:
    account = create_account(client)
    client.v1.accounts.update(account.id, params={"email": "new@firm.example"})
    return account.id


def test_endpoint_keeps_the_api_version_it_was_created_with(stripe_client):
    created = endpoint(stripe_client, "http://127.0.0.1:9/h", api_version=PINNED)
    assert created.api_version == PINNED
    assert stripe_client.v1.webhook_endpoints.retrieve(created.id).api_version == PINNED
    listed = stripe_client.v1.webhook_endpoints.list().data
    assert [e.api_version for e in listed] == [PINNED]


def test_endpoint_without_api_version_says_null(stripe_client):
    assert endpoint(stripe_client, "http://127.0.0.1:9/h").api_version is None


def test_unknown_api_version_is_refused(stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        endpoint(stripe_client, "http://127.0.0.1:9/h", api_version="2099-01-01.nope")
    assert caught.value.param == "api_version"


def test_api_version_cannot_be_changed_after_creation(stripe_client):
    # Stripe: "You can't change this value after you create the endpoint."
    created = endpoint(stripe_client, "http://127.0.0.1:9/h", api_version=PINNED)
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.webhook_endpoints.update(created.id, params={"api_version": OLDER})
    assert caught.value.code == "parameter_unknown"


def test_events_are_delivered_in_the_endpoint_api_version(
    stripe_sandbox, stripe_client, webhook_receiver
):
    endpoint(stripe_client, webhook_receiver.url, api_version=PINNED)
    one_update(stripe_client)
    stripe_sandbox.drain()
    assert [e["api_version"] for e in webhook_receiver.events()] == [PINNED]


def test_endpoint_without_version_gets_the_platform_default_version(
    stripe_sandbox, stripe_client, webhook_receiver
):
    endpoint(stripe_client, webhook_receiver.url)
    one_update(stripe_client)
    stripe_sandbox.drain()
    default = stripe_sandbox.control("GET", "config")["default_api_version"]
    assert default != PINNED
    assert [e["api_version"] for e in webhook_receiver.events()] == [default]


def test_an_event_can_be_redelivered_in_another_version(
    stripe_sandbox, stripe_client, webhook_receiver
):
    created = endpoint(stripe_client, webhook_receiver.url, api_version=PINNED)
    one_update(stripe_client)
    first = webhook_receiver.wait_for(1)[0]
    event_id = json.loads(first["body"])["id"]
    answer = stripe_sandbox.control("POST", f"events/{event_id}/redeliver", {"api_version": OLDER})
    assert answer["endpoints"] == [created.id]
    again = webhook_receiver.wait_for(2)[1]
    event = stripe_client.construct_event(
        again["body"], again["headers"]["Stripe-Signature"], created.secret
    )
    assert (event.id, event.api_version) == (event_id, OLDER)
