"""Checkout Sessions on a connected account: create, retrieve, list, expire, line items."""

from __future__ import annotations

import pytest
import stripe

from stripe_sandbox.tests.test_payments_helpers import (
    checkout,
    event_types,
    firm_account,
    gbp_params,
    pay,
    session_params,
)


@pytest.fixture
def acct(stripe_sandbox, stripe_client) -> str:
    return firm_account(stripe_sandbox, stripe_client)


def test_session_is_created_open_on_the_connected_account(stripe_sandbox, stripe_client, acct):
    session = checkout(stripe_client, acct)
    assert session.id.startswith("cs_test_")
    assert session.url == f"{stripe_sandbox.base_url}/c/pay/{session.id}"
    assert (session.status, session.payment_status, session.mode) == ("open", "unpaid", "payment")
    assert (session.amount_total, session.currency) == (25000, "usd")
    assert session.payment_method_types == ["card", "us_bank_account"]
    assert session.payment_intent is None  # created when the payer pays
    assert session.metadata.to_dict() == {"firmpay_payment_id": "42"}
    assert session.customer_email == "ap@client.example"
    assert session.success_url.endswith("session={CHECKOUT_SESSION_ID}")
    assert session.expires_at - session.created == 24 * 3600
    with pytest.raises(stripe.InvalidRequestError):
        stripe_client.v1.checkout.sessions.retrieve(session.id)  # not the platform's
    again = stripe_client.v1.checkout.sessions.retrieve(
        session.id, options={"stripe_account": acct}
    )
    assert again.id == session.id and again.url == session.url


def test_line_items_come_from_price_data(stripe_client, acct):
    params = session_params()
    params["line_items"].append(
        {
            "quantity": 3,
            "price_data": {
                "currency": "usd",
                "unit_amount": 1000,
                "product_data": {"name": "Late fee"},
            },
        }
    )
    session = stripe_client.v1.checkout.sessions.create(
        params=params, options={"stripe_account": acct}
    )
    assert session.amount_total == 28000
    items = stripe_client.v1.checkout.sessions.line_items.list(
        session.id, options={"stripe_account": acct}
    )
    assert [(i.description, i.quantity, i.amount_total) for i in items.data] == [
        ("Invoice INV-0042", 1, 25000),
        ("Late fee", 3, 3000),
    ]
    assert all(i.id.startswith("li_") for i in items.data)


def test_payment_method_types_is_rejected_as_unknown(stripe_client, acct):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.checkout.sessions.create(
            params={**session_params(), "payment_method_types": ["card"]},
            options={"stripe_account": acct},
        )
    assert caught.value.code == "parameter_unknown"
    assert caught.value.param == "payment_method_types"


def test_methods_must_be_active_on_the_account(stripe_sandbox, stripe_client, acct):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        checkout(stripe_client, acct, allowed_payment_method_types=["card", "bacs_debit"])
    assert caught.value.param == "allowed_payment_method_types"
    assert "bacs_debit_payments" in caught.value.user_message
    stripe_sandbox.control(
        "POST",
        f"accounts/{acct}/state",
        {"state": "capability", "capability": "us_bank_account_ach_payments", "status": "inactive"},
    )
    with pytest.raises(stripe.InvalidRequestError):
        checkout(stripe_client, acct)
    unverified = stripe_client.v1.accounts.create(params={"country": "US"}).id
    with pytest.raises(stripe.InvalidRequestError) as caught:
        checkout(stripe_client, unverified, allowed_payment_method_types=["card"])
    assert "card_payments" in caught.value.user_message


def test_currency_must_suit_each_method(stripe_sandbox, stripe_client, acct):
    params = gbp_params(allowed_payment_method_types=["us_bank_account"])
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.checkout.sessions.create(params=params, options={"stripe_account": acct})
    assert "usd" in caught.value.user_message
    uk = firm_account(stripe_sandbox, stripe_client, country="GB")
    session = stripe_client.v1.checkout.sessions.create(
        params=gbp_params(), options={"stripe_account": uk}
    )
    assert session.payment_method_types == ["card", "bacs_debit"]
    with pytest.raises(stripe.InvalidRequestError):
        checkout(stripe_client, uk, allowed_payment_method_types=["bacs_debit"])  # usd


def test_excluded_and_default_methods(stripe_client, acct):
    params = session_params(excluded_payment_method_types=["us_bank_account"])
    del params["allowed_payment_method_types"]
    session = stripe_client.v1.checkout.sessions.create(
        params=params, options={"stripe_account": acct}
    )
    assert session.payment_method_types == ["card"]
    del params["excluded_payment_method_types"]
    session = stripe_client.v1.checkout.sessions.create(
        params=params, options={"stripe_account": acct}
    )
    assert session.payment_method_types == ["card", "us_bank_account"]


def test_application_fee_needs_a_connected_account(stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.checkout.sessions.create(params=session_params())
    assert caught.value.param == "payment_intent_data[application_fee_amount]"


def test_expire_an_open_session_only(stripe_client, acct):
    session = checkout(stripe_client, acct)
    expired = stripe_client.v1.checkout.sessions.expire(
        session.id, options={"stripe_account": acct}
    )
    assert expired.status == "expired" and expired.url is None
    assert event_types(stripe_client, acct, type="checkout.session.expired") == [
        "checkout.session.expired"
    ]
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.checkout.sessions.expire(session.id, options={"stripe_account": acct})
    assert "expired" in caught.value.user_message


def test_sessions_expire_when_the_clock_passes_expires_at(stripe_sandbox, stripe_client, acct):
    session = checkout(stripe_client, acct)
    paid = checkout(stripe_client, acct)
    pay(stripe_sandbox, paid.id)
    stripe_sandbox.advance(hours=23)
    options = {"stripe_account": acct}
    assert stripe_client.v1.checkout.sessions.retrieve(session.id, options=options).status == "open"
    stripe_sandbox.advance(hours=1, seconds=1)
    assert (
        stripe_client.v1.checkout.sessions.retrieve(session.id, options=options).status == "expired"
    )
    assert stripe_client.v1.checkout.sessions.retrieve(paid.id, options=options).status == (
        "complete"
    )
    assert event_types(stripe_client, acct, type="checkout.session.expired") == [
        "checkout.session.expired"
    ]


def test_expires_at_must_be_within_24_hours(stripe_sandbox, stripe_client, acct):
    now = stripe_sandbox.control("GET", "clock")["now"]
    with pytest.raises(stripe.InvalidRequestError) as caught:
        checkout(stripe_client, acct, expires_at=now + 25 * 3600)
    assert caught.value.param == "expires_at"
    assert checkout(stripe_client, acct, expires_at=now + 3600).expires_at == now + 3600


def test_list_filters_by_status_and_payment_intent(stripe_sandbox, stripe_client, acct):
    options = {"stripe_account": acct}
    first, second, third = (checkout(stripe_client, acct) for _ in range(3))
    paid = pay(stripe_sandbox, second.id)
    stripe_client.v1.checkout.sessions.expire(third.id, options=options)
    listed = stripe_client.v1.checkout.sessions.list(options=options)
    assert [s.id for s in listed.data] == [third.id, second.id, first.id]
    by_status = stripe_client.v1.checkout.sessions.list(params={"status": "open"}, options=options)
    assert [s.id for s in by_status.data] == [first.id]
    by_intent = stripe_client.v1.checkout.sessions.list(
        params={"payment_intent": paid["payment_intent"]["id"]}, options=options
    )
    assert [s.id for s in by_intent.data] == [second.id]
    page = stripe_client.v1.checkout.sessions.list(params={"limit": 2}, options=options)
    assert page.has_more
    assert stripe_client.v1.checkout.sessions.list().data == []  # the platform has none


def test_same_idempotency_key_makes_one_session(stripe_client, acct):
    options = {"stripe_account": acct, "idempotency_key": "pay-invoice-42-attempt-1"}
    first = stripe_client.v1.checkout.sessions.create(params=session_params(), options=options)
    again = stripe_client.v1.checkout.sessions.create(params=session_params(), options=options)
    assert again.id == first.id
    listed = stripe_client.v1.checkout.sessions.list(options={"stripe_account": acct})
    assert len(listed.data) == 1
    with pytest.raises(stripe.IdempotencyError):
        stripe_client.v1.checkout.sessions.create(
            params=session_params(customer_email="other@client.example"), options=options
        )


def test_retried_create_after_a_server_error_makes_one_session(stripe_sandbox, acct):
    client = stripe_sandbox.client(max_network_retries=2)
    stripe_sandbox.control("POST", "faults", {"api": {"mode": "500", "count": 1}})
    session = client.v1.checkout.sessions.create(
        params=session_params(), options={"stripe_account": acct}
    )
    listed = client.v1.checkout.sessions.list(options={"stripe_account": acct})
    assert [s.id for s in listed.data] == [session.id]


def test_expand_payment_intent(stripe_sandbox, stripe_client, acct):
    session = checkout(stripe_client, acct)
    pay(stripe_sandbox, session.id)
    expanded = stripe_client.v1.checkout.sessions.retrieve(
        session.id, params={"expand": ["payment_intent"]}, options={"stripe_account": acct}
    )
    assert expanded.payment_intent.status == "succeeded"
    assert expanded.payment_intent.metadata.firmpay_payment_id == "42"
