"""Idempotency, Stripe-Account scoping and parameter validation, through the SDK."""

from __future__ import annotations

import pytest
import stripe

from stripe_sandbox.tests.test_accounts import create_account


def test_same_idempotency_key_and_params_replays_the_answer(stripe_client):
    params = {"country": "US", "email": "a@firm.example"}
    first = stripe_client.v1.accounts.create(
        params=params, options={"idempotency_key": "firm-1-account"}
    )
    again = stripe_client.v1.accounts.create(
        params=params, options={"idempotency_key": "firm-1-account"}
    )
    assert again.id == first.id
    assert again.last_response.headers.get("Idempotent-Replayed") == "true"
    assert len(stripe_client.v1.accounts.list().data) == 1


def test_same_idempotency_key_with_other_params_is_an_error(stripe_client):
    stripe_client.v1.accounts.create(
        params={"email": "a@firm.example"}, options={"idempotency_key": "k1"}
    )
    with pytest.raises(stripe.IdempotencyError):
        stripe_client.v1.accounts.create(
            params={"email": "b@firm.example"}, options={"idempotency_key": "k1"}
        )


def test_errors_are_replayed_too_but_validation_failures_are_not(stripe_client):
    bad = {"country": "GB", "capabilities": {"us_bank_account_ach_payments": {"requested": True}}}
    for _ in range(2):
        with pytest.raises(stripe.InvalidRequestError) as caught:
            stripe_client.v1.accounts.create(params=bad, options={"idempotency_key": "k2"})
    assert caught.value.headers.get("Idempotent-Replayed") == "true"
    with pytest.raises(stripe.InvalidRequestError):
        stripe_client.v1.accounts.create(params={"emial": "x"}, options={"idempotency_key": "k3"})
    assert stripe_client.v1.accounts.create(
        params={"email": "x@y.z"}, options={"idempotency_key": "k3"}
    ).id


def test_objects_are_invisible_from_other_accounts(stripe_client):
    one, two = create_account(stripe_client), create_account(stripe_client)
    endpoint = stripe_client.v1.webhook_endpoints.create(
        params={"url": "http://127.0.0.1:9/h", "enabled_events": ["*"]},
        options={"stripe_account": one.id},
    )
    assert stripe_client.v1.webhook_endpoints.retrieve(
        endpoint.id, options={"stripe_account": one.id}
    ).id
    for options in ({"stripe_account": two.id}, {}):
        with pytest.raises(stripe.InvalidRequestError) as caught:
            stripe_client.v1.webhook_endpoints.retrieve(endpoint.id, options=options)
        assert caught.value.code == "resource_missing"
        assert stripe_client.v1.webhook_endpoints.list(options=options).data == []


def test_a_connected_account_cannot_read_another(stripe_client):
    one, two = create_account(stripe_client), create_account(stripe_client)
    with pytest.raises(stripe.PermissionError):
        stripe_client.v1.accounts.retrieve(two.id, options={"stripe_account": one.id})


def test_unknown_stripe_account_is_refused(stripe_client):
    with pytest.raises(stripe.PermissionError, match="does not have access to account"):
        stripe_client.v1.accounts.retrieve_current(options={"stripe_account": "acct_missing"})


def test_unknown_parameter_names_its_path(stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.accounts.create(
            params={"controller": {"stripe_dashboard": {"kind": "full"}}}
        )
    assert caught.value.code == "parameter_unknown"
    assert caught.value.param == "controller[stripe_dashboard][kind]"


def test_missing_required_parameter(stripe_client):
    account = create_account(stripe_client)
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.account_links.create(params={"account": account.id})
    assert caught.value.code == "parameter_missing" and caught.value.param == "type"


def test_invalid_integer(stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.raw_request("get", "/v1/events", limit="lots")
    assert caught.value.code == "parameter_invalid_integer" and caught.value.param == "limit"


def test_stripe_version_header_is_accepted(stripe_sandbox):
    client = stripe_sandbox.client(stripe_version="2025-01-27.acacia")
    assert client.v1.accounts.retrieve_current().object == "account"


def test_expand_replaces_ids_with_objects(stripe_client):
    account = create_account(stripe_client)
    plain = stripe_client.v1.accounts.capabilities.retrieve(account.id, "card_payments")
    assert plain.account == account.id
    expanded = stripe_client.v1.accounts.capabilities.retrieve(
        account.id, "card_payments", params={"expand": ["account"]}
    )
    assert expanded.account.id == account.id and expanded.account.object == "account"


def test_concurrent_retries_with_one_key_create_one_account(stripe_sandbox):
    import threading

    ids, errors = [], []

    def create():
        client = stripe_sandbox.client()
        try:
            account = client.v1.accounts.create(
                params={"email": "race@firm.example"}, options={"idempotency_key": "race"}
            )
            ids.append(account.id)
        except stripe.StripeError as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=create) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(set(ids)) == 1
    assert len(stripe_sandbox.client().v1.accounts.list().data) == 1
