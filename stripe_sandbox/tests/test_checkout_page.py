"""The hosted checkout page over plain HTTP: what the payer sees and what
each form does (the Chromium journeys are in test_checkout_browser.py)."""

from __future__ import annotations

import pytest

from stripe_sandbox.tests.helpers import fetch
from stripe_sandbox.tests.test_payments_helpers import (
    checkout,
    event_types,
    firm_account,
    gbp_params,
)

CARD = {"method": "card", "email": "ap@client.example", "expiry": "12 / 34", "cvc": "123"}


@pytest.fixture
def acct(stripe_sandbox, stripe_client) -> str:
    return firm_account(stripe_sandbox, stripe_client, name="Ledger & Co")


def test_page_shows_firm_amount_and_methods(stripe_client, acct):
    session = checkout(stripe_client, acct)
    page = fetch(session.url)
    assert page.status == 200
    assert "Stripe sandbox" in page.text
    assert "Ledger &amp; Co" in page.text and "$250.00" in page.text
    assert "Invoice INV-0042" in page.text
    assert "<label for=card_number>Card number</label>" in page.text
    assert f"/c/pay/{session.id}?method=us_bank_account" in page.text
    assert "href='http://127.0.0.1:9/cancel'" in page.text
    assert "<script" not in page.text and "http" not in page.text.split("<main")[0]
    ach = fetch(session.url + "?method=us_bank_account")
    assert "<label for=routing_number>Routing number</label>" in ach.text


def test_declined_card_shows_an_error_and_a_good_card_redirects(stripe_client, acct):
    session = checkout(stripe_client, acct)
    declined = fetch(session.url, {**CARD, "card_number": "4000 0000 0000 0002"})
    assert declined.status == 402
    assert "role=alert>Your card was declined." in declined.text
    poor = fetch(session.url, {**CARD, "card_number": "4000000000009995"})
    assert "insufficient funds" in poor.text
    wrong = fetch(session.url, {**CARD, "card_number": "4242 4242 4242 4241"})
    assert wrong.status == 400 and "card number is incorrect" in wrong.text
    paid = fetch(session.url, {**CARD, "card_number": "4242 4242 4242 4242"})
    assert paid.status == 302
    assert paid.location == f"http://127.0.0.1:9/paid?session={session.id}"
    done = stripe_client.v1.checkout.sessions.retrieve(session.id, options={"stripe_account": acct})
    assert (done.status, done.payment_status) == ("complete", "paid")
    assert done.customer_details.email == "ap@client.example"
    again = fetch(session.url, {**CARD, "card_number": "4242424242424242"})
    assert "This payment is complete" in again.text
    assert event_types(stripe_client, acct).count("charge.succeeded") == 1


def test_ach_account_numbers_pick_the_outcome(stripe_sandbox, stripe_client, acct):
    options = {"stripe_account": acct}
    settles, fails = checkout(stripe_client, acct), checkout(stripe_client, acct)
    form = {"method": "us_bank_account", "email": "a@b.example", "name": "Acme AP"}
    bad_routing = fetch(settles.url, {**form, "routing_number": "123", "account_number": "1"})
    assert bad_routing.status == 400 and "Routing number is invalid" in bad_routing.text
    for session, number in ((settles, "000123456789"), (fails, "000111111113")):
        page = fetch(session.url, {**form, "routing_number": "110000000", "account_number": number})
        assert page.status == 302
    stripe_sandbox.advance(days=4)
    good, bad = (
        stripe_client.v1.checkout.sessions.retrieve(
            s.id, params={"expand": ["payment_intent"]}, options=options
        )
        for s in (settles, fails)
    )
    assert good.payment_intent.status == "succeeded"
    assert bad.payment_intent.last_payment_error.code == "account_closed"


def test_bacs_needs_the_mandate(stripe_sandbox, stripe_client):
    uk = firm_account(stripe_sandbox, stripe_client, country="GB", name="Ledger UK")
    session = stripe_client.v1.checkout.sessions.create(
        params=gbp_params(), options={"stripe_account": uk}
    )
    page = fetch(session.url + "?method=bacs_debit")
    assert "£250.00" in page.text and "I authorise Ledger UK" in page.text
    form = {
        "method": "bacs_debit",
        "email": "a@b.example",
        "name": "Acme AP",
        "sort_code": "10-88-00",
        "account_number": "00012345",
    }
    refused = fetch(session.url, form)
    assert refused.status == 400 and "mandate" in refused.text
    assert fetch(session.url, {**form, "mandate": "accepted"}).status == 302
    pi = stripe_client.v1.checkout.sessions.retrieve(
        session.id, params={"expand": ["payment_intent"]}, options={"stripe_account": uk}
    ).payment_intent
    assert pi.status == "processing"


def test_methods_the_session_does_not_offer_are_not_payable(stripe_client, acct):
    session = checkout(stripe_client, acct, allowed_payment_method_types=["card"])
    page = fetch(session.url + "?method=us_bank_account")
    assert "Routing number" not in page.text and "Card number" in page.text
    posted = fetch(
        session.url,
        {
            "method": "us_bank_account",
            "routing_number": "110000000",
            "account_number": "000123456789",
        },
    )
    assert posted.status == 200 and "Card number" in posted.text
    stripe_client.v1.checkout.sessions.expire(session.id, options={"stripe_account": acct})
    assert "has expired" in fetch(session.url).text
    assert fetch(session.url.replace("cs_test_", "cs_test_x")).status == 404


def test_names_are_escaped_and_zero_decimal_amounts_shown_whole(stripe_sandbox, stripe_client):
    acct = firm_account(stripe_sandbox, stripe_client, name="<b>Evil</b> & Co")
    params = {
        "mode": "payment",
        "line_items": [
            {
                "quantity": 2,
                "price_data": {
                    "currency": "jpy",
                    "unit_amount": 5000,
                    "product_data": {"name": "<script>alert(1)</script>"},
                },
            }
        ],
        "allowed_payment_method_types": ["card"],
    }
    session = stripe_client.v1.checkout.sessions.create(
        params=params, options={"stripe_account": acct}
    )
    page = fetch(session.url)
    assert "<script>" not in page.text and "&lt;script&gt;" in page.text
    assert "&lt;b&gt;Evil&lt;/b&gt; &amp; Co" in page.text
    assert "10,000 JPY" in page.text
