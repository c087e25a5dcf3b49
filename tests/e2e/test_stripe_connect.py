"""Stripe Connect for a firm, end to end in Chromium against the Stripe sandbox: create an
account and onboard, the free-plan prompt, an existing account through OAuth, support
disconnecting a platform-created account, and the past-due banner.

The app talks to the sandbox through the real SDK; the sandbox's webhooks reach the live
server's /webhooks/stripe/ (registered by `manage.py stripe_setup`), and with Huey immediate
each event is processed inside that request.

Deliveries are held while the browser is busy and released (in shuffled order) when it is
idle: the in-memory SQLite test database locks whole tables across the live server's
threads and fails at once instead of waiting, so a webhook landing in the middle of a page
request would be a 500 that real SQLite (WAL file, busy timeout) or PostgreSQL never give.
Releasing them shuffled also proves the order does not matter."""

from __future__ import annotations

import os
import re
import time
import uuid

import pytest
from playwright.sync_api import expect

from firmpay.core.models import AuditRecord
from firmpay.payments.models import PaymentAccount
from firmpay.payments.services import payment_account_create, payment_account_refresh
from firmpay.tenancy.models import Firm, Membership, Role, User
from tests.stripe_fixtures import deliver_webhooks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-password-2026"
INTEGRATIONS = "/settings/integrations/"


@pytest.fixture
def app(stripe_live_app) -> str:
    """The live server pointed at the sandbox, its webhook endpoint registered there."""
    return stripe_live_app


def snap(page, name: str) -> None:
    """Full-page screenshots for a look at the pages: FIRMPAY_SCREENSHOTS=/some/dir."""
    folder = os.environ.get("FIRMPAY_SCREENSHOTS")
    if folder:
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def make_firm(*, plan: str = "standard", name: str = "Ledger & Sons") -> Firm:
    firm = Firm.objects.create(
        name=name, plan=plan, country="US", email=f"office-{uuid.uuid4().hex[:6]}@ledger.test"
    )
    firm.owner = make_user("owner")
    Membership.objects.create(user=firm.owner, firm=firm, role=Role.OWNER)
    return firm


def make_user(prefix: str, **extra) -> User:
    return User.objects.create_user(
        f"{prefix}-{uuid.uuid4().hex[:6]}@ledger.test", PASSWORD, **extra
    )


def log_in(page, base_url: str, user: User) -> None:
    page.goto(f"{base_url}/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def open_integrations(page, base_url: str) -> None:
    page.goto(base_url + INTEGRATIONS)
    expect(page.get_by_role("heading", name="Integrations")).to_be_visible()


def reload_until(page, locator: str, text: str, timeout: float = 15) -> None:
    """Webhooks arrive asynchronously: reload until the page shows the new state."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if page.locator(locator).inner_text().strip() == text:
            return
        time.sleep(0.3)
        page.reload()
    expect(page.locator(locator)).to_have_text(text)


# --- the sandbox's hosted onboarding ---------------------------------------------------


def fill_business_and_document(page) -> None:
    page.get_by_label("Legal business name").fill("Ledger & Sons LLC")
    page.get_by_label("Employer ID / company number").fill("123456789")
    page.get_by_label("Business phone").fill("+15555550123")
    page.get_by_label("Address").fill("1 Main St")
    page.get_by_label("City").fill("Springfield")
    page.get_by_label("Postal code").fill("12345")
    page.get_by_label("Business website").fill("https://ledger.example")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Company document").set_input_files(
        files=[{"name": "incorporation.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4"}]
    )
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Payout bank account").wait_for()


def fill_bank_and_submit(page) -> None:
    page.get_by_label("Account holder name").fill("Ledger & Sons LLC")
    page.get_by_label("Routing number").fill("110000000")
    page.get_by_label("Account number").fill("000123456789")
    page.get_by_role("button", name="Continue").click()
    agree_and_submit(page)


def agree_and_submit(page) -> None:
    page.get_by_label("I agree").check()
    page.get_by_role("button", name="Agree and submit").click()


# --- (1) create with Firmpay and onboard ----------------------------------------------


def test_paid_firm_creates_an_account_and_onboards_to_active(app, page, stripe_sandbox):
    firm = make_firm()
    log_in(page, app, firm.owner)
    open_integrations(page, app)
    expect(page.locator("#stripe-status")).to_have_text("Not connected")

    page.get_by_role("link", name="Connect", exact=True).click()
    sidebar = page.locator("#stripe-connect")
    expect(sidebar).to_be_visible()
    snap(page, "stripe-connect-sidebar")
    sidebar.get_by_role("link", name="Close").click()  # closes in place, no navigation
    expect(sidebar).to_have_count(0)
    page.get_by_role("link", name="Connect", exact=True).click()
    sidebar.get_by_role("button", name="Create Stripe account with Firmpay").click()

    # Stripe-hosted onboarding: half-way, then "Save and exit".
    fill_business_and_document(page)
    page.get_by_role("button", name="Save and exit").click()
    page.wait_for_url(f"{app}{INTEGRATIONS}")
    expect(page.locator("#stripe-status")).to_have_text("Incomplete")
    expect(page.locator("#stripe-payouts")).to_have_text("Pending")
    snap(page, "stripe-card-incomplete")

    page.get_by_role("link", name="Manage").click()
    manage = page.locator("#stripe-manage")
    expect(manage.locator("#manage-requirements")).to_contain_text("Payout bank account")
    expect(manage.locator("#manage-requirements")).to_contain_text("terms of service")
    snap(page, "stripe-manage-incomplete")

    manage.get_by_role("link", name="Continue setup").click()
    page.get_by_role("heading", name="Payout bank account").wait_for()
    fill_bank_and_submit(page)
    page.wait_for_url(f"{app}{INTEGRATIONS}")
    expect(page.locator("#stripe-status")).to_have_text("Under review")

    # Stripe finishes verifying; the app learns it from the account.updated webhook.
    account = PaymentAccount.objects.get(firm=firm)
    stripe_sandbox.control("POST", f"accounts/{account.stripe_account_id}/verify")
    deliver_webhooks(stripe_sandbox)
    reload_until(page, "#stripe-status", "Active")
    expect(page.locator("#stripe-payouts")).to_have_text("Active")
    snap(page, "stripe-card-active")
    page.get_by_role("link", name="Manage").click()
    expect(page.locator("#manage-methods")).to_contain_text("Card")
    expect(page.locator("#manage-requirements")).to_contain_text("Stripe has everything")
    snap(page, "stripe-manage-active")
    assert PaymentAccount.objects.filter(firm=firm).count() == 1


# --- (2) free plan ----------------------------------------------------------------------


def test_free_firm_gets_the_upgrade_prompt(app, page):
    firm = make_firm(plan="free")
    log_in(page, app, firm.owner)
    open_integrations(page, app)
    page.get_by_role("link", name="Connect", exact=True).click()
    sidebar = page.locator("#stripe-connect")
    expect(sidebar.locator("#stripe-upgrade")).to_contain_text("paid plans")
    expect(sidebar.get_by_role("link", name="Upgrade your plan")).to_have_attribute(
        "href", "/settings/plan/"
    )
    expect(sidebar.get_by_role("button", name="Create Stripe account with Firmpay")).to_have_count(
        0
    )
    expect(sidebar.get_by_role("button", name="Connect existing Stripe account")).to_be_visible()
    snap(page, "stripe-connect-free")
    assert not PaymentAccount.objects.filter(firm=firm).exists()
    sidebar.get_by_role("link", name="Upgrade your plan").click()
    expect(page.get_by_role("heading", name="Plan", exact=True)).to_be_visible()


# --- (3) an existing account through OAuth -------------------------------------------


def connect_existing(page, email: str, *, approve: bool) -> None:
    page.get_by_role("link", name="Connect", exact=True).click()
    page.get_by_role("button", name="Connect existing Stripe account").click()
    page.get_by_label("Email").first.fill(email)
    page.get_by_role("button", name="Sign in").click()
    name = "Connect my Stripe account" if approve else "Deny"
    page.get_by_role("button", name=name).click()


def test_existing_account_via_oauth_then_disconnect_then_deny(app, page, stripe_sandbox):
    firm = make_firm()
    email = f"books-{uuid.uuid4().hex[:6]}@existing.test"
    stripe_sandbox.control(
        "POST", "accounts", {"email": email, "business_name": "Existing Books", "state": "verified"}
    )
    log_in(page, app, firm.owner)
    open_integrations(page, app)

    connect_existing(page, email, approve=True)
    page.wait_for_url(f"{app}{INTEGRATIONS}")
    expect(page.get_by_text("Your Stripe account is connected.")).to_be_visible()
    expect(page.locator("#stripe-status")).to_have_text("Active")
    expect(page.locator("#stripe-payouts")).to_have_text("Active")

    page.get_by_label("More Stripe actions").click()
    page.get_by_role("link", name="Disconnect…").click()
    confirm = page.locator("#stripe-disconnect")
    expect(confirm).to_contain_text("Disconnect acct_")
    snap(page, "stripe-disconnect-confirm")
    confirm.get_by_role("button", name="Disconnect Stripe").click()
    page.wait_for_url(f"{app}{INTEGRATIONS}")
    expect(page.locator("#stripe-status")).to_have_text("Not connected")
    assert AuditRecord.objects.filter(firm=firm, action="payments.account_disconnected").exists()

    # Trying again and denying on Stripe's page leaves the card as it was.
    connect_existing(page, email, approve=False)
    page.wait_for_url(f"{app}{INTEGRATIONS}")
    expect(
        page.get_by_text("You cancelled connecting Stripe. Nothing was changed.")
    ).to_be_visible()
    expect(page.locator("#stripe-status")).to_have_text("Not connected")
    assert not PaymentAccount.objects.filter(firm=firm, disconnected_at__isnull=True).exists()
    # Stripe's own events of all this (authorized, deauthorized, ...) change nothing more.
    deliver_webhooks(stripe_sandbox)
    page.reload()
    expect(page.locator("#stripe-status")).to_have_text("Not connected")


# --- (4) a platform-created account: support disconnects it ---------------------------


def active_platform_account(firm: Firm, stripe_sandbox) -> PaymentAccount:
    account = payment_account_create(firm=firm, actor=firm.owner)
    stripe_sandbox.control(
        "POST", f"accounts/{account.stripe_account_id}/state", {"state": "verified"}
    )
    return payment_account_refresh(account=account)


def test_platform_account_only_support_can_disconnect(app, new_context, stripe_sandbox):
    firm = make_firm()
    account = active_platform_account(firm, stripe_sandbox)
    deliver_webhooks(stripe_sandbox)
    owner = new_context().new_page()
    log_in(owner, app, firm.owner)
    open_integrations(owner, app)
    expect(owner.locator("#stripe-status")).to_have_text("Active")
    owner.get_by_label("More Stripe actions").click()
    expect(owner.locator("#stripe-menu")).to_contain_text("Contact support to disconnect it.")
    expect(owner.get_by_role("link", name="Disconnect…")).to_have_count(0)
    snap(owner, "stripe-menu-platform")

    support = new_context().new_page()
    log_in(support, app, make_user("support", is_staff=True))
    support.goto(f"{app}/support/")
    support.get_by_role("link", name=firm.name).click()
    expect(support.locator("#support-account")).to_contain_text(account.stripe_account_id)
    support.get_by_label("Reason").fill("Firm is closing; confirmed by phone")
    support.get_by_label("Support ticket").fill("T-1234")
    support.get_by_role("button", name="Disconnect").click()
    expect(support.get_by_text("No active payment account.")).to_be_visible()
    expect(support.locator("#support-audit")).to_contain_text("Firm is closing; confirmed by phone")
    snap(support, "support-firm")
    support.goto(f"{app}/support/")
    snap(support, "support-index")

    record = AuditRecord.objects.get(firm=firm, action="payments.account_disconnected")
    assert record.detail["reason"] == "Firm is closing; confirmed by phone"
    assert record.detail["by_support"] and record.ip_address == "127.0.0.1"
    owner.reload()
    expect(owner.locator("#stripe-status")).to_have_text("Not connected")


# --- (5) past due: the banner on every page -------------------------------------------


def test_past_due_banner_on_every_page_until_onboarding_is_finished(app, page, stripe_sandbox):
    firm = make_firm()
    account = active_platform_account(firm, stripe_sandbox)
    stripe_sandbox.control(
        "POST",
        f"accounts/{account.stripe_account_id}/state",
        {"state": "past_due", "requirements": ["representative.verification.document"]},
    )
    deliver_webhooks(stripe_sandbox)  # account.updated → /webhooks/stripe/ → processed
    log_in(page, app, firm.owner)
    banner = page.locator(".banner").filter(has_text="Identity document for the representative")
    for path in ("/invoices/", "/clients/", INTEGRATIONS):
        page.goto(app + path)
        expect(banner).to_be_visible()
    expect(page.locator("#stripe-status")).to_have_text("Action required")
    snap(page, "stripe-banner-past-due")

    banner.get_by_role("link").click()
    page.get_by_role("heading", name="Additional information").wait_for()
    page.get_by_label("representative.verification.document").fill("passport uploaded")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    if page.get_by_label("I agree").count():  # the sandbox skips review once submitted
        agree_and_submit(page)
    page.wait_for_url(re.compile(re.escape(app + INTEGRATIONS)))
    for path in (INTEGRATIONS, "/invoices/"):
        page.goto(app + path)
        expect(page.locator(".banner")).to_have_count(0)
    page.goto(app + INTEGRATIONS)
    expect(page.locator("#stripe-status")).to_have_text("Active")
    deliver_webhooks(stripe_sandbox)  # the events of finishing agree
    page.reload()
    expect(page.locator(".banner")).to_have_count(0)
