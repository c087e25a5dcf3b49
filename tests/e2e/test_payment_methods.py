"""An existing Stripe account connected by OAuth has only the payment methods its owner
turned on in Stripe. End to end in Chromium against the sandbox: a US firm connects its
cards-only account, the Stripe card and Manage say ACH is off with a link to Stripe's
payment methods settings, the owner turns ACH on there, Stripe's events update the card and
Manage, and a client pays an invoice by ACH.

Webhook deliveries are held while the browser is busy and released when it is idle, as in
the other Stripe journeys (see test_stripe_connect.py)."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.test_pay_invoice import (
    back_on_the_return_page,
    open_invoice_link,
    pay_by_ach,
    press_pay,
    sent_invoice,
    status_of,
)
from tests.e2e.test_stripe_connect import (
    INTEGRATIONS,
    connect_existing,
    log_in,
    make_firm,
    open_integrations,
)
from tests.stripe_fixtures import deliver_webhooks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def app(stripe_live_app, settings) -> str:
    settings.SITE_URL = stripe_live_app
    return stripe_live_app


def test_an_oauth_account_turns_on_ach_in_stripe_and_a_client_pays_by_ach(
    app, page, stripe_sandbox
):
    firm = make_firm()
    firm.default_currency = "USD"
    firm.save(update_fields=["default_currency"])
    email = f"books-{uuid.uuid4().hex[:6]}@existing.test"
    stripe_sandbox.control(
        "POST", "accounts", {"email": email, "business_name": "Existing Books", "state": "verified"}
    )
    log_in(page, app, firm.owner)
    open_integrations(page, app)
    connect_existing(page, email, approve=True)
    page.wait_for_url(f"{app}{INTEGRATIONS}")
    expect(page.locator("#stripe-status")).to_have_text("Active")

    # Cards only: the card and Manage say so, and where in Stripe ACH is turned on.
    expect(page.locator("#stripe-methods")).to_contain_text("by Card;")
    off = page.locator("#stripe-method-off-us_bank_account")
    expect(off).to_contain_text("ACH direct debit is off in your Stripe account")
    page.get_by_role("link", name="Manage").click()
    expect(page.locator("#manage-methods")).to_contain_text("Card")
    expect(page.locator("#manage-method-off-us_bank_account")).to_be_visible()
    stripe_settings = off.get_by_role("link", name="Turn on ACH direct debit in Stripe")
    href = stripe_settings.get_attribute("href")
    assert href.endswith("/settings/payment_methods")

    # The owner turns ACH on in Stripe's dashboard (the sandbox's).
    page.goto(href)
    page.get_by_role("button", name="Turn on ACH Direct Debit").click()
    expect(page.get_by_role("button", name="Turn off ACH Direct Debit")).to_be_visible()
    page.goto("about:blank")
    deliver_webhooks(stripe_sandbox)  # account.updated, capability.updated

    open_integrations(page, app)
    expect(page.locator("#stripe-methods")).to_contain_text("by Card, ACH direct debit;")
    expect(page.locator("#stripe-method-off-us_bank_account")).to_have_count(0)
    page.get_by_role("link", name="Manage").click()
    expect(page.locator("#manage-methods")).to_have_text("Card, ACH direct debit")

    # A client pays by ACH.
    invoice = sent_invoice(firm)
    open_invoice_link(page, app, invoice)
    press_pay(page)
    pay_by_ach(page)
    back_on_the_return_page(page, app, stripe_sandbox, "processing")
    assert status_of(invoice) == "payment_processing"
    page.goto("about:blank")
    stripe_sandbox.advance(days=5)  # the debit settles on the sandbox clock
    deliver_webhooks(stripe_sandbox)
    assert status_of(invoice) == "paid"
