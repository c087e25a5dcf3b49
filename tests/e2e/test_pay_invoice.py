"""Clients pay invoices, end to end in Chromium: the client page's Pay button, the Stripe
sandbox's hosted checkout, the return page, and the invoice as the firm sees it.

The app talks to the sandbox through the real SDK; the sandbox's webhooks reach the live
server's /webhooks/stripe/ (registered with `manage.py stripe_setup`, connect=true) and,
with Huey immediate, each event is processed inside that request. As in the Connect
journeys, deliveries are held while the browser is busy and released shuffled when it is
idle (the in-memory SQLite test database locks whole tables across the live server's
threads), which also shows the order of events does not matter."""

from __future__ import annotations

import re
import time
import uuid

import pytest
from django.core import mail
from playwright.sync_api import expect

from firmpay.clients.services import client_create
from firmpay.invoices.links import invoice_link_path
from firmpay.invoices.models import Invoice
from firmpay.invoices.services import invoice_send
from firmpay.invoices.tests.builders import invoice_build, line
from firmpay.payments.models import PaymentAccount
from firmpay.payments.online.models import CheckoutSettings, OnlinePayment
from firmpay.payments.services import (
    payment_account_create,
    payment_account_disconnect,
    payment_account_refresh,
)
from firmpay.tenancy.models import Firm, Membership, Role, User
from tests.stripe_fixtures import deliver_webhooks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-password-2026"


@pytest.fixture
def app(stripe_live_app, settings) -> str:
    settings.SITE_URL = stripe_live_app
    return stripe_live_app


def firm_with_stripe(stripe_sandbox, *, country="US", currency="USD", name="Ledger & Sons"):
    firm = Firm.objects.create(
        name=name,
        plan="standard",
        country=country,
        default_currency=currency,
        email=f"office-{uuid.uuid4().hex[:6]}@ledger.test",
        bank_details="Ledger Bank, account 000123456789",
    )
    firm.owner = User.objects.create_user(f"owner-{uuid.uuid4().hex[:6]}@ledger.test", PASSWORD)
    Membership.objects.create(user=firm.owner, firm=firm, role=Role.OWNER)
    account = payment_account_create(firm=firm, actor=firm.owner)
    stripe_sandbox.control(
        "POST", f"accounts/{account.stripe_account_id}/state", {"state": "verified"}
    )
    payment_account_refresh(account=account)
    deliver_webhooks(stripe_sandbox)
    return firm


def sent_invoice(firm, *, amount=25000, currency=None) -> Invoice:
    currency = currency or firm.default_currency
    client = client_create(
        firm=firm, name="Acme Ltd", email=f"ap-{uuid.uuid4().hex[:6]}@acme.test", currency=currency
    )
    invoice = invoice_build(firm=firm, client=client, lines=[line(unit_amount=amount)])
    invoice_send(invoice=invoice)
    invoice.refresh_from_db()
    return invoice


def log_in(page, base_url: str, user: User) -> None:
    page.goto(f"{base_url}/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def open_invoice_link(page, app: str, invoice: Invoice) -> None:
    page.goto(app + invoice_link_path(invoice))
    expect(page.get_by_role("heading", name=f"Invoice {invoice.number}")).to_be_visible()


def status_of(invoice: Invoice) -> str:
    invoice.refresh_from_db()
    return invoice.status


def wait_for(predicate, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    assert predicate()


# --- the sandbox's hosted checkout ------------------------------------------------------


def press_pay(page) -> None:
    page.locator("#pay-button").click()
    page.wait_for_url(re.compile(r".*/c/pay/cs_[^/?]+.*"))


def pay_by_card(page, number: str = "4242424242424242") -> None:
    page.get_by_label("Card number").fill(number)
    page.get_by_label("Expiry (MM / YY)").fill("12 / 34")
    page.get_by_label("CVC").fill("123")
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()


def pay_by_ach(page, account_number: str = "000123456789") -> None:
    page.get_by_role("link", name="US bank account").click()
    page.get_by_label("Account holder name").fill("Acme Ltd")
    page.get_by_label("Routing number").fill("110000000")
    page.get_by_label("Account number").fill(account_number)
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()


def pay_by_bacs(page, account_number: str = "00012345") -> None:
    page.get_by_role("link", name="Bacs Direct Debit").click()
    page.get_by_label("Account holder name").fill("Acme Ltd")
    page.get_by_label("Sort code").fill("108800")
    page.get_by_label("Account number").fill(account_number)
    page.get_by_label(re.compile("I authorise")).check()
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()


def back_on_the_return_page(page, app: str, stripe_sandbox, state: str) -> None:
    """Stripe sends the client back before its webhooks arrive: the page must not claim
    the payment yet. Then the webhooks land and the page shows our records."""
    page.wait_for_url(re.compile(r".*/paid/\d+/$"))
    expect(page.locator("#payment-state")).to_have_attribute("data-state", "unconfirmed")
    url = page.url
    page.goto("about:blank")  # nothing polls while the held webhooks are delivered
    deliver_webhooks(stripe_sandbox)
    page.goto(url)
    expect(page.locator("#payment-state")).to_have_attribute("data-state", state)


def subjects_to(address: str) -> list[str]:
    return [m.subject for m in mail.outbox if address in m.to]


# --- the journeys -----------------------------------------------------------------------


def test_card_payment_marks_the_invoice_paid_and_emails_a_receipt(app, page, stripe_sandbox):
    firm = firm_with_stripe(stripe_sandbox)
    invoice = sent_invoice(firm)
    open_invoice_link(page, app, invoice)
    expect(page.locator("#pay-button")).to_have_text("Pay $250.00 online")
    press_pay(page)
    expect(page.locator("#amount")).to_have_text("$250.00")
    pay_by_card(page)
    back_on_the_return_page(page, app, stripe_sandbox, "paid")
    expect(page.locator("#payment-state")).to_contain_text("Payment received")
    assert status_of(invoice) == "paid"
    client_mail = subjects_to(invoice.client.email)
    assert f"Receipt: $250.00 paid to {firm.name} for invoice {invoice.number}" in client_mail
    assert f"Payment received: $250.00 for invoice {invoice.number}" in subjects_to(firm.email)
    open_invoice_link(page, app, invoice)
    expect(page.locator("#paid-notice")).to_be_visible()
    expect(page.locator("#pay-button")).to_have_count(0)


def test_a_declined_card_then_a_good_one(app, page, stripe_sandbox):
    firm = firm_with_stripe(stripe_sandbox)
    invoice = sent_invoice(firm)
    open_invoice_link(page, app, invoice)
    press_pay(page)
    pay_by_card(page, "4000000000000002")
    expect(page.get_by_role("alert")).to_have_text("Your card was declined.")
    pay_by_card(page, "4242424242424242")
    # The return page refreshes itself: it says "not yet confirmed" until the webhooks
    # land, then "paid" without a reload (htmx polling our records).
    page.wait_for_url(re.compile(r".*/paid/\d+/$"))
    state = page.locator("#payment-state")
    expect(state).to_have_attribute("data-state", "unconfirmed")
    expect(state).to_contain_text("Not yet confirmed")
    deliver_webhooks(stripe_sandbox)
    expect(state).to_have_attribute("data-state", "paid", timeout=15_000)
    expect(state).to_contain_text("Payment received")
    assert status_of(invoice) == "paid"
    payment = OnlinePayment.objects.get(invoice=invoice)
    assert payment.status == "succeeded" and payment.method == "card"
    assert payment.failure_message == "Your card was declined."


def test_ach_is_processing_until_it_settles_then_paid(app, page, stripe_sandbox):
    firm = firm_with_stripe(stripe_sandbox)
    invoice = sent_invoice(firm)
    open_invoice_link(page, app, invoice)
    press_pay(page)
    pay_by_ach(page)
    back_on_the_return_page(page, app, stripe_sandbox, "processing")
    assert status_of(invoice) == "payment_processing"
    assert any("Payment initiated" in s for s in subjects_to(invoice.client.email))
    open_invoice_link(page, app, invoice)
    expect(page.locator("#processing-notice")).to_be_visible()
    expect(page.locator("#pay-button")).to_have_count(0)
    page.goto("about:blank")
    stripe_sandbox.advance(days=5)  # the debit settles on the sandbox clock
    deliver_webhooks(stripe_sandbox)
    assert status_of(invoice) == "paid"
    open_invoice_link(page, app, invoice)
    expect(page.locator("#paid-notice")).to_be_visible()
    assert any(s.startswith("Receipt") for s in subjects_to(invoice.client.email))


def test_ach_that_fails_after_processing_reopens_the_invoice_and_tells_both(
    app, page, stripe_sandbox
):
    firm = firm_with_stripe(stripe_sandbox)
    invoice = sent_invoice(firm)
    open_invoice_link(page, app, invoice)
    press_pay(page)
    pay_by_ach(page, "000111111113")  # the sandbox's "fails later: account closed"
    back_on_the_return_page(page, app, stripe_sandbox, "processing")
    assert status_of(invoice) == "payment_processing"
    page.goto("about:blank")
    stripe_sandbox.advance(days=5)
    deliver_webhooks(stripe_sandbox)
    assert status_of(invoice) == "open"
    assert any("did not go through" in s for s in subjects_to(invoice.client.email))
    assert any(s.startswith("Payment failed") for s in subjects_to(firm.email))
    open_invoice_link(page, app, invoice)
    expect(page.locator("#pay-button")).to_be_visible()


def test_bacs_with_a_mandate_then_paid(app, page, stripe_sandbox):
    firm = firm_with_stripe(stripe_sandbox, country="GB", currency="GBP", name="Ledger & Sons Ltd")
    invoice = sent_invoice(firm, currency="GBP")
    open_invoice_link(page, app, invoice)
    expect(page.locator(".pay-form .helptext")).to_contain_text("Bacs direct debit")
    press_pay(page)
    pay_by_bacs(page)
    back_on_the_return_page(page, app, stripe_sandbox, "processing")
    page.goto("about:blank")
    stripe_sandbox.advance(days=4)
    deliver_webhooks(stripe_sandbox)
    assert status_of(invoice) == "paid"
    assert OnlinePayment.objects.get(invoice=invoice).method == "bacs_debit"


def test_a_partial_payment_leaves_the_rest_due(app, page, stripe_sandbox):
    firm = firm_with_stripe(stripe_sandbox)
    CheckoutSettings.objects.create(firm=firm, allow_partial=True, partial_minimum=5000)
    invoice = sent_invoice(firm)
    open_invoice_link(page, app, invoice)
    page.get_by_label("Amount to pay (USD)").fill("20.00")
    page.locator("#pay-button").click()
    expect(page.locator(".message.error")).to_contain_text("The smallest payment is $50.00")
    page.get_by_label("Amount to pay (USD)").fill("100.00")
    press_pay(page)
    expect(page.locator("#amount")).to_have_text("$100.00")
    pay_by_card(page)
    back_on_the_return_page(page, app, stripe_sandbox, "paid")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_due) == ("partially_paid", 15000)
    open_invoice_link(page, app, invoice)
    expect(page.locator("#amount-due")).to_have_text("$150.00")
    expect(page.get_by_label("Amount to pay (USD)")).to_have_value("150.00")


def test_disconnecting_stripe_removes_the_pay_button_and_expires_the_session(
    app, page, stripe_sandbox
):
    firm = firm_with_stripe(stripe_sandbox)
    invoice = sent_invoice(firm)
    open_invoice_link(page, app, invoice)
    press_pay(page)
    checkout_url = page.url
    account = PaymentAccount.objects.get(firm=firm, disconnected_at__isnull=True)
    support = User.objects.create_user(f"support-{uuid.uuid4().hex[:6]}@firmpay.test", PASSWORD)
    payment_account_disconnect(
        account=account, actor=support, by_support=True, reason="Closing the firm's account"
    )
    open_invoice_link(page, app, invoice)
    expect(page.locator("#pay-button")).to_have_count(0)
    expect(page.locator("#online-unavailable")).to_be_visible()
    expect(page.get_by_text("Ledger Bank, account 000123456789")).to_be_visible()
    page.goto(checkout_url)
    expect(page.get_by_role("status")).to_have_text("This checkout session has expired.")
    assert OnlinePayment.objects.get(invoice=invoice).status == "expired"


def paid_by_card(page, app: str, stripe_sandbox, invoice: Invoice) -> OnlinePayment:
    open_invoice_link(page, app, invoice)
    press_pay(page)
    pay_by_card(page)
    back_on_the_return_page(page, app, stripe_sandbox, "paid")
    return OnlinePayment.objects.get(invoice=invoice, status="succeeded")


def test_a_partial_refund_from_the_invoice_page(app, page, new_context, stripe_sandbox):
    firm = firm_with_stripe(stripe_sandbox)
    invoice = sent_invoice(firm)
    paid_by_card(page, app, stripe_sandbox, invoice)
    owner = new_context().new_page()
    log_in(owner, app, firm.owner)
    owner.goto(f"{app}/invoices/{invoice.pk}/")
    timeline = owner.locator("#payment-timeline")
    expect(timeline.locator(".badge")).to_have_text("Succeeded")
    timeline.get_by_text("Refund", exact=True).click()
    timeline.get_by_label("Amount (USD)").fill("100.00")
    timeline.get_by_label("Reason").select_option("requested_by_customer")
    timeline.get_by_label("Note (optional)").fill("Scope reduced")
    timeline.get_by_role("button", name="Send refund").click()
    expect(owner.locator(".message.success")).to_have_text("Refund of $100.00 sent to Stripe.")
    expect(owner.locator("#invoice-status")).to_have_text("Partially paid")
    expect(owner.locator("#amount-due")).to_have_text("$100.00")
    expect(timeline.locator(".badge")).to_have_text("Partially refunded")
    expect(timeline).to_contain_text(
        "Refund $100.00 (succeeded), requested by the client: Scope reduced"
    )
    owner.goto("about:blank")
    deliver_webhooks(stripe_sandbox)  # refund.created, charge.refunded: nothing more changes
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_due) == ("partially_paid", 10000)
    assert any(s.startswith("Refund: $100.00") for s in subjects_to(firm.email))
    assert any("refunded $100.00" in s for s in subjects_to(invoice.client.email))


def test_a_dispute_flags_the_invoice_and_tells_the_firm_the_deadline(
    app, page, new_context, stripe_sandbox
):
    firm = firm_with_stripe(stripe_sandbox)
    invoice = sent_invoice(firm)
    payment = paid_by_card(page, app, stripe_sandbox, invoice)
    page.goto("about:blank")
    stripe_sandbox.control(
        "POST", f"charges/{payment.charge_id}/dispute", {"reason": "fraudulent", "due_in_days": 7}
    )
    deliver_webhooks(stripe_sandbox)
    invoice.refresh_from_db()
    assert invoice.disputed
    owner = new_context().new_page()
    log_in(owner, app, firm.owner)
    owner.goto(f"{app}/invoices/{invoice.pk}/")
    expect(owner.locator("#dispute-flag")).to_contain_text("A payment on this invoice is disputed")
    expect(owner.locator("#payment-timeline .badge")).to_have_text("Disputed")
    subject = next(s for s in subjects_to(firm.email) if s.startswith("Dispute opened"))
    assert f"invoice {invoice.number}: respond by" in subject
