"""Saved payment methods and off-session charges: Checkout in setup mode,
customers, mandates, off-session PaymentIntents and their failures."""

from __future__ import annotations

import pytest
import stripe

from stripe_sandbox.tests.helpers import fetch
from stripe_sandbox.tests.test_payments_helpers import firm_account


def customer(client, acct: str) -> str:
    return client.v1.customers.create(
        params={
            "email": "ap@client.example",
            "name": "Client Ltd",
            "metadata": {"firmpay_client_id": "7"},
        },
        options={"stripe_account": acct},
    ).id


def setup_session(client, acct: str, cus: str, methods: list[str], currency: str = "usd"):
    return client.v1.checkout.sessions.create(
        params={
            "mode": "setup",
            "customer": cus,
            "currency": currency,
            "allowed_payment_method_types": methods,
            "success_url": "http://127.0.0.1:9/saved?session={CHECKOUT_SESSION_ID}",
            "cancel_url": "http://127.0.0.1:9/cancel",
            "setup_intent_data": {"metadata": {"firmpay_authorisation_id": "3"}},
        },
        options={"stripe_account": acct},
    )


def save(sandbox, cs: str, method: str = "card", outcome: str = "succeed") -> dict:
    return sandbox.control(
        "POST", f"checkout/sessions/{cs}/setup", {"method": method, "outcome": outcome}
    )


def charge(
    client, acct: str, cus: str, pm: str, key: str, amount: int = 25000, currency: str = "usd"
):
    return client.v1.payment_intents.create(
        params={
            "amount": amount,
            "currency": currency,
            "customer": cus,
            "payment_method": pm,
            "confirm": True,
            "off_session": True,
            "application_fee_amount": 250,
            "metadata": {"firmpay_charge_id": key},
        },
        options={"stripe_account": acct, "idempotency_key": key},
    )


def saved_card(sandbox, client, outcome: str = "succeed"):
    acct = firm_account(sandbox, client)
    cus = customer(client, acct)
    saved = save(sandbox, setup_session(client, acct, cus, ["card"]).id, "card", outcome)
    return acct, cus, saved["payment_method"]["id"]


def test_setup_session_saves_a_card_on_the_customer(stripe_sandbox, stripe_client):
    acct = firm_account(stripe_sandbox, stripe_client)
    cus = customer(stripe_client, acct)
    session = setup_session(stripe_client, acct, cus, ["card"])
    assert session.mode == "setup" and session.setup_intent.startswith("seti_")
    saved = save(stripe_sandbox, session.id)
    assert saved["setup_intent"]["status"] == "succeeded"
    methods = stripe_client.v1.customers.payment_methods.list(cus, options={"stripe_account": acct})
    assert [m.id for m in methods.data] == [saved["payment_method"]["id"]]


def test_bacs_setup_creates_an_active_mandate_with_its_reference(stripe_sandbox, stripe_client):
    acct = firm_account(stripe_sandbox, stripe_client, country="GB")
    cus = customer(stripe_client, acct)
    saved = save(
        stripe_sandbox,
        setup_session(stripe_client, acct, cus, ["bacs_debit"], "gbp").id,
        "bacs_debit",
    )
    mandate = stripe_client.v1.mandates.retrieve(
        saved["mandate"]["id"], options={"stripe_account": acct}
    )
    assert mandate.status == "active"
    assert mandate.payment_method_details.bacs_debit.reference.startswith("FIRMPAY-")
    assert "Direct Debit Guarantee" in fetch(mandate.payment_method_details.bacs_debit.url).text


def test_hosted_setup_page_shows_bacs_mandate_terms_and_saves(stripe_sandbox, stripe_client):
    acct = firm_account(stripe_sandbox, stripe_client, country="GB")
    cus = customer(stripe_client, acct)
    session = setup_session(stripe_client, acct, cus, ["bacs_debit"], "gbp")
    shown = fetch(session.url)
    assert "Direct Debit Guarantee" in shown.text and "Nothing is charged now" in shown.text
    form = {
        "method": "bacs_debit",
        "name": "Ada",
        "sort_code": "108800",
        "account_number": "00012345",
        "mandate": "accepted",
        "email": "a@b.example",
    }
    assert fetch(session.url, form).status == 302
    seti = stripe_client.v1.setup_intents.retrieve(
        session.setup_intent, options={"stripe_account": acct}
    )
    assert seti.status == "succeeded" and seti.mandate


def test_off_session_card_charge_succeeds_with_the_application_fee(stripe_sandbox, stripe_client):
    acct, cus, pm = saved_card(stripe_sandbox, stripe_client)
    pi = charge(stripe_client, acct, cus, pm, "charge:1")
    assert pi.status == "succeeded" and pi.application_fee_amount == 250


def test_same_idempotency_key_returns_the_same_payment_intent(stripe_sandbox, stripe_client):
    acct, cus, pm = saved_card(stripe_sandbox, stripe_client)
    first = charge(stripe_client, acct, cus, pm, "charge:2")
    again = charge(stripe_client, acct, cus, pm, "charge:2")
    assert again.id == first.id
    listed = stripe_client.v1.payment_intents.list(options={"stripe_account": acct})
    assert len(listed.data) == 1


def test_declined_saved_card_answers_402_with_the_payment_intent(stripe_sandbox, stripe_client):
    acct, cus, pm = saved_card(stripe_sandbox, stripe_client, "decline")
    with pytest.raises(stripe.CardError) as raised:
        charge(stripe_client, acct, cus, pm, "charge:3")
    assert raised.value.code == "card_declined"
    assert raised.value.error.payment_intent.status == "requires_payment_method"


def test_card_needing_authentication_fails_with_authentication_required(
    stripe_sandbox, stripe_client
):
    acct, cus, pm = saved_card(stripe_sandbox, stripe_client, "authentication_required")
    with pytest.raises(stripe.CardError) as raised:
        charge(stripe_client, acct, cus, pm, "charge:4")
    assert raised.value.code == "authentication_required"


def test_bacs_debit_processes_then_fails_by_its_account_number(stripe_sandbox, stripe_client):
    acct = firm_account(stripe_sandbox, stripe_client, country="GB")
    cus = customer(stripe_client, acct)
    saved = save(
        stripe_sandbox,
        setup_session(stripe_client, acct, cus, ["bacs_debit"], "gbp").id,
        "bacs_debit",
        "fail_later",
    )
    pi = charge(stripe_client, acct, cus, saved["payment_method"]["id"], "charge:5", currency="gbp")
    assert pi.status == "processing"
    stripe_sandbox.advance(days=3)
    pi = stripe_client.v1.payment_intents.retrieve(pi.id, options={"stripe_account": acct})
    assert pi.status == "requires_payment_method"
    assert pi.last_payment_error.code == "insufficient_funds"


def test_revoked_mandate_refuses_the_next_debit(stripe_sandbox, stripe_client):
    acct = firm_account(stripe_sandbox, stripe_client)
    cus = customer(stripe_client, acct)
    saved = save(
        stripe_sandbox,
        setup_session(stripe_client, acct, cus, ["us_bank_account"]).id,
        "us_bank_account",
    )
    revoked = stripe_sandbox.control("POST", f"mandates/{saved['mandate']['id']}/revoke", {})
    assert revoked["status"] == "inactive"
    with pytest.raises(stripe.InvalidRequestError) as raised:
        charge(stripe_client, acct, cus, saved["payment_method"]["id"], "charge:6")
    assert raised.value.code == "payment_intent_mandate_invalid"


def test_card_expiry_control_sends_automatically_updated(
    stripe_sandbox, stripe_client, webhook_receiver
):
    stripe_client.v1.webhook_endpoints.create(
        params={"url": webhook_receiver.url, "enabled_events": ["*"], "connect": True}
    )
    acct, cus, pm = saved_card(stripe_sandbox, stripe_client)
    stripe_sandbox.control(
        "POST", f"payment_methods/{pm}/card", {"exp_month": 1, "exp_year": 2031, "automatic": True}
    )
    stripe_sandbox.drain()
    types = [e["type"] for e in webhook_receiver.events()]
    assert "payment_method.automatically_updated" in types


def test_detaching_a_debit_method_ends_its_mandate(stripe_sandbox, stripe_client):
    acct = firm_account(stripe_sandbox, stripe_client)
    cus = customer(stripe_client, acct)
    saved = save(
        stripe_sandbox,
        setup_session(stripe_client, acct, cus, ["us_bank_account"]).id,
        "us_bank_account",
    )
    stripe_client.v1.payment_methods.detach(
        saved["payment_method"]["id"], options={"stripe_account": acct}
    )
    mandate = stripe_client.v1.mandates.retrieve(
        saved["mandate"]["id"], options={"stripe_account": acct}
    )
    assert mandate.status == "inactive"
