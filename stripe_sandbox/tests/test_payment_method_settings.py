"""An account connected by OAuth turns ACH / Bacs on and off in the sandbox
dashboard, as in Stripe's; capabilities, events and the payment method
configuration follow."""

from __future__ import annotations

import pytest
import stripe

from stripe_sandbox.tests.helpers import fetch
from stripe_sandbox.tests.test_oauth import authorize_url, query
from stripe_sandbox.tests.test_payments_helpers import event_types, gbp_params, session_params

ACH = "us_bank_account_ach_payments"
BACS = "bacs_debit_payments"


def connect_existing(sandbox, client, *, country: str = "US") -> str:
    """An active Stripe account the firm already had, connected by OAuth."""
    base = sandbox.base_url
    pending = fetch(authorize_url(client)).location
    rid = pending.rsplit("/", 1)[1]
    fetch(
        f"{base}/oauth/authorize/{rid}/create",
        {
            "email": "own@firm.example",
            "business_name": "Own Firm",
            "country": country,
            "state": "verified",
        },
    )
    back = fetch(f"{base}/oauth/authorize/{rid}/decide", {"action": "approve"}).location
    token = client.oauth.token(
        params={"grant_type": "authorization_code", "code": query(back)["code"]}
    )
    return token.stripe_user_id


def settings_url(sandbox, acct: str) -> str:
    return f"{sandbox.base_url}/dashboard/accounts/{acct}/settings/payment_methods"


def turn(sandbox, acct: str, method: str, turn: str):
    return fetch(settings_url(sandbox, acct), {"method": method, "turn": turn})


def configuration(client, acct: str):
    return client.v1.payment_method_configurations.list(options={"stripe_account": acct}).data[0]


def test_existing_account_starts_with_cards_only(stripe_sandbox, stripe_client):
    acct = connect_existing(stripe_sandbox, stripe_client)
    assert stripe_client.v1.accounts.retrieve(acct).capabilities.to_dict() == {
        "card_payments": "active",
        "transfers": "active",
    }
    pmc = configuration(stripe_client, acct)
    assert (pmc.is_default, pmc.card.available, pmc.us_bank_account.available) == (
        True,
        True,
        False,
    )
    assert pmc.us_bank_account.display_preference.value == "off"
    page = fetch(settings_url(stripe_sandbox, acct))
    assert "ACH Direct Debit" in page.text and "Turn on ACH Direct Debit" in page.text
    assert "Bacs" not in page.text


def test_turning_on_ach_activates_the_capability_and_says_so(stripe_sandbox, stripe_client):
    acct = connect_existing(stripe_sandbox, stripe_client)
    before = len(event_types(stripe_client, acct))
    answer = turn(stripe_sandbox, acct, "us_bank_account", "on")
    assert answer.status == 302 and answer.location == settings_url(stripe_sandbox, acct)
    assert stripe_client.v1.accounts.retrieve(acct).capabilities[ACH] == "active"
    assert event_types(stripe_client, acct)[before:] == ["account.updated", "capability.updated"]
    opts = {"stripe_account": acct}
    updated = stripe_client.v1.events.list(
        params={"type": "account.updated", "limit": 1}, options=opts
    ).data[0]
    assert ACH not in updated.data.previous_attributes.capabilities.to_dict()
    capability = stripe_client.v1.events.list(
        params={"type": "capability.updated", "limit": 1}, options=opts
    ).data[0]
    assert (capability.data.object.id, capability.data.object.status) == (ACH, "active")
    pmc = configuration(stripe_client, acct)
    assert (pmc.us_bank_account.available, pmc.us_bank_account.display_preference.value) == (
        True,
        "on",
    )
    assert "Turn off ACH Direct Debit" in fetch(settings_url(stripe_sandbox, acct)).text


def test_checkout_offers_ach_only_once_it_is_on(stripe_sandbox, stripe_client):
    acct = connect_existing(stripe_sandbox, stripe_client)
    opts = {"stripe_account": acct}
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.checkout.sessions.create(params=session_params(), options=opts)
    assert caught.value.param == "allowed_payment_method_types"
    turn(stripe_sandbox, acct, "us_bank_account", "on")
    session = stripe_client.v1.checkout.sessions.create(params=session_params(), options=opts)
    assert "us_bank_account" in session.payment_method_types


def test_turning_ach_off_unrequests_the_capability(stripe_sandbox, stripe_client):
    acct = connect_existing(stripe_sandbox, stripe_client)
    turn(stripe_sandbox, acct, "us_bank_account", "on")
    turn(stripe_sandbox, acct, "us_bank_account", "off")
    assert ACH not in stripe_client.v1.accounts.retrieve(acct).capabilities.to_dict()
    opts = {"stripe_account": acct}
    capability = stripe_client.v1.events.list(
        params={"type": "capability.updated", "limit": 1}, options=opts
    ).data[0]
    assert (capability.data.object.status, capability.data.object.requested) == (
        "unrequested",
        False,
    )
    assert capability.data.previous_attributes.status == "active"
    assert configuration(stripe_client, acct).us_bank_account.display_preference.value == "off"


def test_a_uk_account_turns_on_bacs(stripe_sandbox, stripe_client):
    acct = connect_existing(stripe_sandbox, stripe_client, country="GB")
    assert "Turn on Bacs Direct Debit" in fetch(settings_url(stripe_sandbox, acct)).text
    turn(stripe_sandbox, acct, "bacs_debit", "on")
    assert stripe_client.v1.accounts.retrieve(acct).capabilities[BACS] == "active"
    session = stripe_client.v1.checkout.sessions.create(
        params=gbp_params(), options={"stripe_account": acct}
    )
    assert "bacs_debit" in session.payment_method_types


def test_a_method_of_another_country_cannot_be_turned_on(stripe_sandbox, stripe_client):
    acct = connect_existing(stripe_sandbox, stripe_client)
    assert turn(stripe_sandbox, acct, "bacs_debit", "on").status == 400
    assert BACS not in stripe_client.v1.accounts.retrieve(acct).capabilities.to_dict()


def test_configuration_is_retrievable_by_id(stripe_sandbox, stripe_client):
    acct = connect_existing(stripe_sandbox, stripe_client)
    pmc = configuration(stripe_client, acct)
    opts = {"stripe_account": acct}
    assert (
        stripe_client.v1.payment_method_configurations.retrieve(pmc.id, options=opts).id == pmc.id
    )
    with pytest.raises(stripe.InvalidRequestError):
        stripe_client.v1.payment_method_configurations.retrieve("pmc_nope", options=opts)


@pytest.mark.browser
def test_owner_turns_on_ach_in_the_dashboard(page, stripe_sandbox, stripe_client):
    acct = connect_existing(stripe_sandbox, stripe_client)
    page.goto(f"{stripe_sandbox.base_url}/dashboard/accounts/{acct}")
    page.get_by_role("link", name="Payment methods settings").click()
    page.get_by_role("heading", name="Payment methods").wait_for()
    page.get_by_role("button", name="Turn on ACH Direct Debit").click()
    page.get_by_role("button", name="Turn off ACH Direct Debit").wait_for()
    row = page.get_by_role("row", name="ACH Direct Debit")
    assert "active" in row.inner_text()
    assert stripe_client.v1.accounts.retrieve(acct).capabilities[ACH] == "active"


def test_the_control_call_switches_like_the_dashboard(stripe_sandbox, stripe_client):
    acct = connect_existing(stripe_sandbox, stripe_client)
    account = stripe_sandbox.control(
        "POST", f"accounts/{acct}/payment_methods", {"us_bank_account": "on"}
    )
    assert account["capabilities"][ACH] == "active"
    with pytest.raises(AssertionError, match="400"):
        stripe_sandbox.control("POST", f"accounts/{acct}/payment_methods", {"bacs_debit": "on"})
