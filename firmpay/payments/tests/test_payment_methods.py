"""Every payment method the account really has: an existing account connected by OAuth
chooses its own methods in Stripe. Firmpay reads them from the account (capabilities), offers
exactly those at checkout, and says where in Stripe the firm turns a bank debit on."""

from __future__ import annotations

import uuid

import httpx
import pytest
from django.contrib.sessions.backends.db import SessionStore

from firmpay.integrations.tests.conftest import client_for
from firmpay.payments.connect.selectors import payment_account_panel, payment_card
from firmpay.payments.online.checkout import checkout_start
from firmpay.payments.services import payment_account_create, payment_account_refresh
from firmpay.payments.tests.online import deliver, sent_invoice
from firmpay.payments.tests.test_oauth import connect

pytestmark = [pytest.mark.usefixtures("stripe_settings"), pytest.mark.django_db]

PAGE = "http://testserver/i/x/"


@pytest.fixture
def oauth_account(stripe_sandbox, firm):
    """A verified US Stripe account the firm already had (cards only), connected by OAuth."""
    email = f"{uuid.uuid4().hex[:8]}@existing.test"
    stripe_sandbox.control(
        "POST", "accounts", {"email": email, "business_name": "Own Ltd", "state": "verified"}
    )
    session = SessionStore()
    session.save()
    return connect(firm, session, email)


def settings_url(stripe_sandbox, acct: str) -> str:
    return f"{stripe_sandbox.base_url}/dashboard/accounts/{acct}/settings/payment_methods"


def feed_account_events(stripe_sandbox, acct: str) -> None:
    events = stripe_sandbox.client().v1.events.list(
        params={"limit": 100}, options={"stripe_account": acct}
    )
    for event in reversed(events.data):
        deliver(event.to_dict())


def test_an_existing_account_without_ach_offers_card_only_and_says_where_to_turn_it_on(
    oauth_account, stripe_sandbox, firm
):
    acct = oauth_account.stripe_account_id
    card = payment_card(firm=firm)
    assert card.methods.live == ["Card"]
    [off] = card.methods.off
    assert (off.code, off.turn_on_url) == ("us_bank_account", settings_url(stripe_sandbox, acct))
    assert "ACH direct debit is off in your Stripe account" in off.message
    assert payment_account_panel(account=oauth_account).methods_off == [off]
    payment = checkout_start(invoice=sent_invoice(firm), return_url=PAGE)
    assert payment.allowed_methods == ["card"]


def test_the_card_and_manage_say_ach_is_off_with_a_link_to_stripe(
    oauth_account, stripe_sandbox, firm
):
    link = settings_url(stripe_sandbox, oauth_account.stripe_account_id)
    owner = client_for(firm.owner)
    card = owner.get("/settings/integrations/").content.decode()
    assert "Clients pay invoices online by Card;" in card
    assert 'id="stripe-method-off-us_bank_account"' in card and f'href="{link}"' in card
    manage = owner.get("/settings/integrations/stripe/manage/").content.decode()
    assert 'id="manage-method-off-us_bank_account"' in manage and f'href="{link}"' in manage
    assert "Turn on ACH direct debit in Stripe" in manage


def test_ach_turned_on_in_stripe_reaches_the_card_manage_and_checkout(
    oauth_account, stripe_sandbox, firm
):
    acct = oauth_account.stripe_account_id
    turned = httpx.post(
        settings_url(stripe_sandbox, acct), data={"method": "us_bank_account", "turn": "on"}
    )
    assert turned.status_code in (200, 302)
    feed_account_events(stripe_sandbox, acct)  # account.updated, capability.updated
    card = payment_card(firm=firm)
    assert (card.methods.live, card.methods.off) == (["Card", "ACH direct debit"], [])
    oauth_account.refresh_from_db()
    assert payment_account_panel(account=oauth_account).methods_off == []
    payment = checkout_start(invoice=sent_invoice(firm), return_url=PAGE)
    assert payment.allowed_methods == ["card", "us_bank_account"]


def test_a_platform_account_has_the_debit_its_country_has(stripe_sandbox, make_firm):
    firm = make_firm(country="GB")
    account = payment_account_create(firm=firm, actor=firm.owner)
    stripe_sandbox.control(
        "POST", f"accounts/{account.stripe_account_id}/state", {"state": "verified"}
    )
    payment_account_refresh(account=account)
    card = payment_card(firm=firm)
    assert (card.methods.live, card.methods.off) == (["Card", "Bacs direct debit"], [])
