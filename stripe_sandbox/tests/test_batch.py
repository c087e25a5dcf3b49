"""`/_sandbox/batch`: many requests in one round trip, each as if sent over HTTP alone."""

from __future__ import annotations

from urllib.parse import urlencode

from stripe._encode import _api_encode

from stripe_sandbox.tests.test_payments_helpers import firm_account


def request(sandbox, path: str, params: dict, **headers: str) -> dict:
    return {
        "method": "POST",
        "path": path,
        "headers": {"Authorization": f"Bearer {sandbox.secret_key}", **headers},
        "body": urlencode(list(_api_encode(params))),
    }


def test_batched_requests_create_what_the_sdk_would_and_answer_in_order(
    stripe_sandbox, stripe_client
):
    acct = firm_account(stripe_sandbox, stripe_client)
    answers = stripe_sandbox.control(
        "POST",
        "batch",
        {
            "requests": [
                request(
                    stripe_sandbox, "/v1/customers", {"name": f"C{n}"}, **{"Stripe-Account": acct}
                )
                for n in range(3)
            ]
        },
    )["responses"]
    assert [a["status"] for a in answers] == [200, 200, 200]
    listed = stripe_client.v1.customers.list(options={"stripe_account": acct}).data
    assert sorted(c.id for c in listed) == sorted(a["body"]["id"] for a in answers)
    assert [a["body"]["name"] for a in answers] == ["C0", "C1", "C2"]
    # Created on the account named, with its events, as over HTTP.
    events = stripe_client.v1.events.list(options={"stripe_account": acct}).data
    assert sum(e.type == "customer.created" for e in events) == 3


def test_each_batched_request_is_checked_as_over_http(stripe_sandbox, stripe_client):
    acct = firm_account(stripe_sandbox, stripe_client)
    answers = stripe_sandbox.control(
        "POST",
        "batch",
        {
            "requests": [
                {**request(stripe_sandbox, "/v1/customers", {"name": "x"}), "headers": {}},
                request(stripe_sandbox, "/v1/customers", {"nmae": "x"}, **{"Stripe-Account": acct}),
                {
                    "method": "POST",
                    "path": f"/_sandbox/accounts/{acct}/state",
                    "body": {"state": "verified"},
                },
            ]
        },
    )["responses"]
    assert [a["status"] for a in answers] == [401, 400, 200]
    assert answers[1]["body"]["error"]["code"] == "parameter_unknown"
