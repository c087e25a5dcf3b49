"""Connect Xero and QuickBooks Online in Chromium through the accounting sandbox's own
consent pages (no per-test fakes): the live server's token, /connections and API calls go to
the sandbox over HTTP, and the ledger's accounts come back to Firmpay's setup page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from firmpay.tenancy.tests.factories import DEFAULT_PASSWORD, make_owner

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ledgers(settings, accounting_sandbox):
    settings.ACCOUNTING_TOKEN_KEY = "e2e-accounting-key"
    for name, value in accounting_sandbox.settings().items():
        setattr(settings, name, value)
    return accounting_sandbox


def _log_in(page, live_server):
    owner = make_owner()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/settings/integrations/")
    return owner


def test_quickbooks_connects_through_the_sandbox_consent_page_to_a_uk_company(live_server, page, ledgers):
    _log_in(page, live_server)
    page.locator("#quickbooks-connect").click()

    expect(page.get_by_text("QuickBooks Online sandbox — test data only")).to_be_visible()
    page.get_by_label("Demo & Co Accountants UK Ltd").check()
    page.get_by_role("button", name="Connect").click()

    expect(page.get_by_text("Accounts in Demo & Co Accountants UK Ltd")).to_be_visible()
    expect(page.get_by_label("Payments post to")).to_contain_text("1010 — Stripe Clearing")
    assert ledgers.violations() == []


def test_xero_consent_lists_the_sandbox_organisations_and_returns_to_firmpay(live_server, page, ledgers):
    # An app created before 2 March 2026 may ask for either scope set.
    ledgers.control("POST", "config", {"xero_app_created": "2025-11-20"})
    _log_in(page, live_server)
    page.locator("#xero-connect").click()

    expect(page.get_by_text("Xero sandbox — test data only")).to_be_visible()
    page.get_by_label("Demo & Co Accountants (US, USD)").check()
    page.get_by_role("button", name="Allow access").click()

    expect(page).to_have_url(f"{live_server.url}/settings/integrations/accounting/setup/")
    expect(page.locator("main")).to_contain_text("Demo & Co Accountants")
    assert ledgers.violations() == []


def test_cancelling_the_xero_consent_connects_nothing(live_server, page, ledgers):
    ledgers.control("POST", "config", {"xero_app_created": "2025-11-20"})
    _log_in(page, live_server)
    page.locator("#xero-connect").click()
    page.get_by_role("button", name="Cancel").click()

    expect(page.locator("#xero-status")).to_have_text("Not connected")
