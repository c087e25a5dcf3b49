"""Payouts, end to end in Chromium: clients pay by card and by ACH on the sandbox's hosted
checkout, the firm refunds part of one payment and loses a dispute on another, Stripe's
automatic payouts follow on the sandbox clock, and the firm's Payouts page shows each payout
with every part, summing to what reached the bank; the dashboard shows what is on its way."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from firmpay.payments.online.models import OnlinePayment
from firmpay.payments.online.refunds import payment_refund_create
from firmpay.payouts.models import Payout
from tests.e2e.test_pay_invoice import (
    back_on_the_return_page,
    firm_with_stripe,
    log_in,
    open_invoice_link,
    pay_by_ach,
    pay_by_card,
    press_pay,
    sent_invoice,
)
from tests.e2e.test_what_a_firm_sees import snap
from tests.stripe_fixtures import deliver_webhooks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def app(stripe_live_app, settings) -> str:
    settings.SITE_URL = stripe_live_app
    return stripe_live_app


def client_pays(page, app, stripe_sandbox, invoice, how, state):
    open_invoice_link(page, app, invoice)
    press_pay(page)
    how(page)
    back_on_the_return_page(page, app, stripe_sandbox, state)
    page.goto("about:blank")


def test_the_firm_sees_each_payout_with_every_part_summing_to_the_bank_line(
    app, page, stripe_sandbox
):
    firm = firm_with_stripe(stripe_sandbox)
    by_card = sent_invoice(firm, amount=40000)
    by_ach = sent_invoice(firm, amount=25000)
    disputed = sent_invoice(firm, amount=12000)
    client_pays(page, app, stripe_sandbox, by_card, pay_by_card, "paid")
    client_pays(page, app, stripe_sandbox, by_ach, pay_by_ach, "processing")
    client_pays(page, app, stripe_sandbox, disputed, pay_by_card, "paid")
    payment_refund_create(
        payment=OnlinePayment.objects.get(invoice=by_card),
        amount=5000,
        reason="requested_by_customer",
        actor=firm.owner,
        request_key="journey-refund",
    )
    charge = OnlinePayment.objects.get(invoice=disputed).charge_id
    dispute = stripe_sandbox.control("POST", f"charges/{charge}/dispute", {"reason": "fraudulent"})
    stripe_sandbox.control("POST", f"disputes/{dispute['id']}/close", {"status": "lost"})
    deliver_webhooks(stripe_sandbox)

    stripe_sandbox.advance(days=5)  # cards swept into a payout; the ACH debit settles
    deliver_webhooks(stripe_sandbox)
    stripe_sandbox.advance(days=3)  # the ACH money becomes available and is swept too
    deliver_webhooks(stripe_sandbox)
    first, second = Payout.objects.filter(firm=firm).order_by("stripe_created_at", "id")

    log_in(page, app, firm.owner)
    page.get_by_role("link", name="Payments", exact=True).click()
    page.get_by_role("link", name="Payouts").click()
    expect(page.get_by_role("heading", name="Payouts")).to_be_visible()
    expect(page.locator("#payout-table tbody tr")).to_have_count(2)

    page.get_by_role("link", name=first.stripe_payout_id).click()
    summary = page.locator("#payout-summary")
    for kind in ("Payment", "Refund", "Dispute"):
        expect(summary.get_by_role("rowheader", name=kind, exact=True)).to_be_visible()
    expect(page.locator("#adds-up")).to_contain_text("exactly the payout")
    items = page.locator("#payout-items")
    expect(items.get_by_role("link", name=by_card.number)).to_have_count(2)  # paid, refunded
    expect(items.get_by_role("link", name=disputed.number)).to_have_count(2)  # paid, lost
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        snap(page, f"payout-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})
    first.refresh_from_db()
    assert sum(first.items.values_list("net", flat=True)) == first.amount

    page.get_by_role("link", name="← Payouts").click()
    page.get_by_role("link", name=second.stripe_payout_id).click()
    expect(page.locator("#payout-items").get_by_role("link", name=by_ach.number)).to_be_visible()
    expect(page.locator("#adds-up")).to_contain_text("exactly the payout")

    # The Stripe card says what the month's payments cost: every Stripe fee known now.
    page.goto(f"{app}/settings/integrations/")
    fees = page.locator("#stripe-fees")
    expect(fees.get_by_role("rowheader", name="Stripe's fees")).to_be_visible()
    expect(fees.locator('tr[data-row="stripe-fee"]')).not_to_contain_text("pending")
    expect(fees.locator('tr[data-row="net"] td').first).to_contain_text("$")
    expect(fees.locator('tr[data-row="firmpay-fee"] td').first).not_to_contain_text("$0.00")

    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Collected against invoiced, by month")).to_be_visible()
    expect(page.locator("#figure-expected-payouts")).to_contain_text("$")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        snap(page, f"dashboard-{width}")
