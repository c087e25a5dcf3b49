"""Issue 18 in Chromium, one journey per numbered point of "what a firm would still trip
over": pages that move on their own, a banner that agrees with the card and Manage, one way
of writing a day, the processing invoice, the header with a long firm name, the sign-up and
invoice forms, the way back to Stripe setup after upgrading, "Recently sent", the favicon,
and support staff made by a command. Screenshots of the main pages at 1280 and 390 px go
to FIRMPAY_SCREENSHOTS=/some/dir when it is set."""

from __future__ import annotations

import datetime
import io
import os
import re
import sys
import uuid

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from firmpay.clients.services import client_create
from firmpay.core.dates import day_format, zone_of
from firmpay.payments.models import PaymentAccount
from firmpay.payments.services import payment_account_create, payment_account_refresh
from firmpay.payments.stripe.dataclasses import AccountSnapshot
from firmpay.reminders.models import ReminderSend, SendStatus
from firmpay.tenancy.models import Firm, Membership, Role, User
from tests.e2e.test_pay_invoice import (
    back_on_the_return_page,
    firm_with_stripe,
    open_invoice_link,
    pay_by_ach,
    press_pay,
    sent_invoice,
    status_of,
)
from tests.stripe_fixtures import deliver_webhooks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-password-2026"
INTEGRATIONS = "/settings/integrations/"
LONG_NAME = "Whitfield, Okonkwo-Harrington & Castellanos Chartered Accounts"[:60]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def app(stripe_live_app, settings) -> str:
    settings.SITE_URL = stripe_live_app
    return stripe_live_app


def snap(page, name: str) -> None:
    folder = os.environ.get("FIRMPAY_SCREENSHOTS")
    if folder:
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def make_firm(*, plan="standard", name="Ledger & Sons", tz="America/New_York") -> Firm:
    firm = Firm.objects.create(
        name=name,
        plan=plan,
        country="US",
        timezone=tz,
        email=f"office-{uuid.uuid4().hex[:6]}@ledger.test",
    )
    firm.owner = User.objects.create_user(f"owner-{uuid.uuid4().hex[:6]}@ledger.test", PASSWORD)
    Membership.objects.create(user=firm.owner, firm=firm, role=Role.OWNER)
    return firm


def log_in(page, base_url: str, user: User) -> None:
    page.goto(f"{base_url}/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def account_in_state(firm: Firm, stripe_sandbox, *states) -> PaymentAccount:
    """A platform-created account walked through the sandbox states, read back once."""
    account = payment_account_create(firm=firm, actor=firm.owner)
    for state in states:
        name, params = state if isinstance(state, tuple) else (state, {})
        stripe_sandbox.control(
            "POST", f"accounts/{account.stripe_account_id}/state", {"state": name, **params}
        )
        account = payment_account_refresh(account=account)
    return account


def mark_page(page) -> None:
    """A flag in the page's window: still there later means the page was never reloaded."""
    page.evaluate("() => { window.firmpayNotReloaded = true; }")


def not_reloaded(page) -> bool:
    return page.evaluate("() => window.firmpayNotReloaded === true")


# --- 1. pages that move on their own ------------------------------------------------------


def test_1_the_stripe_card_turns_active_without_a_reload(app, page, stripe_sandbox):
    firm = make_firm()
    account = account_in_state(firm, stripe_sandbox, "pending_verification")
    log_in(page, app, firm.owner)
    page.goto(app + INTEGRATIONS)
    card = page.get_by_role("article").filter(has=page.get_by_role("heading", name="Stripe"))
    expect(card.locator("#stripe-status")).to_have_text("Under review")
    expect(page.get_by_role("status").filter(has_text="Stripe is reviewing")).to_be_visible()
    snap(page, "stripe-card-under-review-1280")
    mark_page(page)

    stripe_sandbox.control("POST", f"accounts/{account.stripe_account_id}/verify")
    deliver_webhooks(stripe_sandbox)
    expect(card.locator("#stripe-status")).to_have_text("Active", timeout=20_000)
    expect(card).to_contain_text("Your Stripe account is active: clients can pay online.")
    expect(page.locator(".banner")).to_have_count(0)  # the banner left with it
    assert not_reloaded(page)
    # Nothing left to change: the card stops asking.
    expect(page.locator("#stripe-card")).not_to_have_attribute("hx-trigger", re.compile("every"))


def test_1_5_the_firms_invoice_page_follows_an_ach_debit_without_a_reload(
    app, page, new_context, stripe_sandbox
):
    firm = firm_with_stripe(stripe_sandbox)
    invoice = sent_invoice(firm, amount=15000)
    open_invoice_link(page, app, invoice)
    press_pay(page)
    pay_by_ach(page)
    back_on_the_return_page(page, app, stripe_sandbox, "processing")
    page.goto("about:blank")
    assert status_of(invoice) == "payment_processing"

    owner = new_context(viewport=DESKTOP).new_page()
    log_in(owner, app, firm.owner)
    owner.goto(f"{app}/invoices/{invoice.pk}/")
    expect(owner.locator("#invoice-status")).to_have_text("Payment processing")
    # 5: what is on its way, and no Void while money moves.
    expect(owner.get_by_text("$150.00 by bank debit from Acme Ltd")).to_be_visible()
    expect(owner.get_by_role("button", name="Void")).to_have_count(0)
    expect(owner.get_by_text("can be voided only if it fails")).to_be_visible()
    snap(owner, "invoice-processing-1280")
    mark_page(owner)

    stripe_sandbox.advance(days=5)  # the debit settles
    deliver_webhooks(stripe_sandbox)
    expect(owner.locator("#invoice-status")).to_have_text("Paid", timeout=20_000)
    expect(owner.get_by_text("by bank debit from Acme Ltd")).to_have_count(0)
    assert not_reloaded(owner)

    owner.goto(f"{app}/payments/")
    expect(owner.get_by_role("cell", name="Acme Ltd")).to_be_visible()
    snap(owner, "payments-1280")


# --- 2, 3, 4. the banner, the card and Manage agree ----------------------------------


def card_sentence(page) -> str:
    return page.locator("#stripe-status-message").inner_text().strip()


def test_2_payouts_paused_the_banner_the_card_and_manage_say_the_same(app, page, stripe_sandbox):
    firm = make_firm()
    account_in_state(firm, stripe_sandbox, "verified", "payouts_disabled")
    log_in(page, app, firm.owner)
    page.goto(app + INTEGRATIONS)
    banner = page.get_by_role("alert").filter(has_text="paused payouts")
    expect(banner).to_be_visible()
    sentence = card_sentence(page)
    assert "Stripe has paused payouts" in sentence
    expect(banner).to_contain_text(sentence)
    expect(
        page.get_by_text("Your Stripe account is active: clients can pay online.")
    ).to_have_count(0)
    expect(banner.get_by_role("link", name="Open the Stripe dashboard")).to_have_attribute(
        "href", "/settings/integrations/stripe/dashboard/"
    )
    page.get_by_role("link", name="Manage").click()
    expect(page.locator("#manage-headline")).to_have_text(sentence)
    snap(page, "stripe-payouts-paused-1280")


def test_2_an_incomplete_account_has_a_banner_that_continues_setup(app, page, stripe_sandbox):
    firm = make_firm()
    account_in_state(firm, stripe_sandbox)  # created, onboarding never started
    log_in(page, app, firm.owner)
    page.goto(f"{app}/invoices/")
    banner = page.get_by_role("alert").filter(has_text="Finish setting up your Stripe account")
    banner.get_by_role("link", name="Continue Stripe setup").click()
    page.get_by_role("button", name="Continue").first.wait_for()  # Stripe's hosted onboarding
    assert page.url.startswith(stripe_sandbox.base_url)


def test_3_4_a_deadline_in_20_days_reads_the_same_everywhere_and_nothing_is_overdue(
    app, page, stripe_sandbox
):
    firm = make_firm(tz="America/Los_Angeles")
    fresh = account_in_state(firm, stripe_sandbox)
    log_in(page, app, firm.owner)
    # 4: a brand-new account is not "overdue".
    page.goto(app + INTEGRATIONS)
    page.get_by_role("link", name="Manage").click()
    manage = page.get_by_role("dialog", name="Stripe account")
    expect(manage).to_contain_text("Needed")
    expect(manage).not_to_contain_text("Restriction")
    expect(manage).not_to_contain_text("overdue")
    snap(page, "stripe-manage-new-1280")
    fresh.delete()

    account = account_in_state(
        firm,
        stripe_sandbox,
        "verified",
        ("requirements_due", {"requirements": ["company.tax_id"], "deadline_in_days": 20}),
    )
    deadline = AccountSnapshot.from_dict(account.snapshot).requirements.current_deadline
    day = day_format(deadline, tz=zone_of(firm))
    page.goto(f"{app}/clients/")
    banner = page.get_by_role("alert").filter(has_text="Stripe needs more information")
    expect(banner).to_contain_text(day)
    page.goto(app + INTEGRATIONS)
    expect(page.locator("#stripe-status")).to_have_text("Action required")
    expect(page.locator("#stripe-status-message")).to_contain_text(day)
    page.get_by_role("link", name="Manage").click()
    manage = page.get_by_role("dialog", name="Stripe account")
    expect(manage.get_by_role("cell", name=day)).to_be_visible()
    expect(manage.locator("#manage-headline")).to_contain_text(day)
    snap(page, "stripe-manage-deadline-1280")


# --- 6. the header holds a long firm name --------------------------------------------


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_6_the_header_holds_a_60_character_firm_name(app, new_context, viewport):
    assert len(LONG_NAME) == 60
    firm = make_firm(name=LONG_NAME)
    page = new_context(viewport=viewport).new_page()
    log_in(page, app, firm.owner)
    page.goto(f"{app}/invoices/")
    logout = page.get_by_role("button", name="Log out")
    box = logout.bounding_box()
    line_height = page.evaluate(
        "() => parseFloat(getComputedStyle(document.querySelector('.who button')).lineHeight)"
    )
    assert box["height"] <= line_height + 2  # one line: "Log out" does not split
    assert box["x"] + box["width"] <= viewport["width"]
    firm_link = page.get_by_role("link", name=LONG_NAME)
    expect(firm_link).to_have_attribute("title", LONG_NAME)
    name_box = firm_link.bounding_box()
    assert name_box["height"] <= line_height + 2  # cut short with an ellipsis, not wrapped
    assert name_box["x"] + name_box["width"] <= box["x"]  # left of "Log out", no overlap
    assert page.evaluate("document.documentElement.scrollWidth") == viewport["width"]
    snap(page, f"header-long-name-{viewport['width']}")


# --- 7. sign-up and invoice forms ------------------------------------------------------


def test_7_invoice_lines_are_labelled_and_the_client_picker_asks_for_a_client(app, page):
    firm = make_firm()
    client_create(firm=firm, name="Acme Hardware LLC", email="ap@acme.test", currency="USD")
    log_in(page, app, firm.owner)
    page.goto(f"{app}/invoices/new/")
    client = page.get_by_label("Client")
    expect(client.locator("option").first).to_have_text("Choose a client")
    client.select_option(label="Acme Hardware LLC")
    page.get_by_label("Description, line 1").fill("Year-end accounts")
    page.get_by_label("Quantity, line 1").fill("1")
    page.get_by_label("Unit price, line 1").fill("450.00")
    expect(page.get_by_label("Remove line 1")).not_to_be_checked()
    snap(page, "invoice-form-1280")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("heading", name=re.compile("Invoice"))).to_be_visible()


# --- 8. after upgrading, the way back to Stripe setup ------------------------------------


def test_8_after_upgrading_continue_stripe_setup(app, page):
    firm = make_firm(plan="free")
    log_in(page, app, firm.owner)
    page.goto(app + INTEGRATIONS)
    page.get_by_role("link", name="Connect", exact=True).click()
    page.get_by_role("link", name="Upgrade your plan").click()
    page.get_by_role("button", name="Switch to Standard").click()
    expect(page.get_by_role("status")).to_contain_text("Plan changed to Standard")
    snap(page, "plan-upgraded-1280")
    page.get_by_role("link", name="Continue Stripe setup").click()
    expect(page.get_by_role("button", name="Create Stripe account with Firmpay")).to_be_visible()


# --- 9. "Recently sent" and the favicon --------------------------------------------------


def test_9_recently_sent_lists_only_sent_reminders_and_every_page_has_its_icon(app, page):
    firm = make_firm()
    from firmpay.payments.tests.online import sent_invoice as a_sent_invoice

    invoice = a_sent_invoice(firm)
    for step, status in enumerate([SendStatus.SENT, SendStatus.SKIPPED, SendStatus.FAILED]):
        ReminderSend.objects.create(
            firm=firm,
            invoice=invoice,
            step=step,
            reminder_day=datetime.date(2026, 5, 20 + step),
            status=status,
            sent_at=timezone.now() if status == SendStatus.SENT else None,
        )
    missing = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    log_in(page, app, firm.owner)
    page.goto(f"{app}/reminders/")
    recent = page.locator("#recent-reminders")
    expect(recent.get_by_role("row")).to_have_count(2)  # the header and the one sent
    expect(recent).to_contain_text("Sent")
    expect(recent).not_to_contain_text("Not sent")
    expect(recent).not_to_contain_text("Failed")
    icon = page.evaluate("() => document.querySelector('link[rel=icon]').href")
    assert page.request.get(icon).ok
    assert missing == []


# --- 10. support staff from a command ----------------------------------------------------


def test_10_support_user_create_gives_the_back_office_and_nothing_more(app, page, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    call_command(
        "support_user_create", "desk@firmpay.test", password_stdin=True, stdout=io.StringIO()
    )
    user = User.objects.get(email="desk@firmpay.test")
    assert user.is_staff and not user.is_superuser
    page.goto(f"{app}/login/")
    page.get_by_label("Email").fill("desk@firmpay.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{app}/support/")
    expect(page.get_by_role("link", name="Help inbox")).to_be_visible()
    page.get_by_role("link", name="Help inbox").click()
    expect(page.get_by_role("heading", name="Help inbox")).to_be_visible()
    snap(page, "support-inbox-1280")


# --- the main pages at 1280 and 390 px ---------------------------------------------------

MAIN_PAGES = [
    ("invoices", "/invoices/"),
    ("invoice", "/invoices/{invoice}/"),
    ("clients", "/clients/"),
    ("payments", "/payments/"),
    ("reminders", "/reminders/"),
    ("integrations", INTEGRATIONS),
    ("manage", "/settings/integrations/stripe/manage/"),
    ("plan", "/settings/plan/"),
    ("firm-settings", "/settings/firm/"),
]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_the_main_pages_fit_the_screen(app, new_context, stripe_sandbox, viewport):
    firm = firm_with_stripe(stripe_sandbox, name=LONG_NAME)
    invoice = sent_invoice(firm, amount=15000)
    page = new_context(viewport=viewport).new_page()
    log_in(page, app, firm.owner)
    for name, path in MAIN_PAGES:
        page.goto(app + path.format(invoice=invoice.pk))
        assert page.evaluate("document.documentElement.scrollWidth") == viewport["width"], name
        snap(page, f"main-{name}-{viewport['width']}")
    page.goto(f"{app}/signup/")  # logged in: back to the app; the form itself when logged out
    page.context.clear_cookies()
    page.goto(f"{app}/signup/")
    expect(page.get_by_label("Time zone")).to_have_value("America/New_York")
    snap(page, f"main-signup-{viewport['width']}")
