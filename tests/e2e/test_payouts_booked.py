"""Payouts booked in Xero, end to end in Chromium (issue 17's acceptance): the firm connects
Xero through the accounting sandbox's consent page and turns on "Book Stripe payouts"
(an unsuitable clearing account is refused first); clients pay by card and by ACH (US) or
Bacs (UK) on the Stripe sandbox's checkout, the firm refunds part of one payment and loses
a dispute on another, the Stripe sandbox pays out; then the sandbox ledger shows each
payout as a bank transfer of exactly the payout, and the Stripe clearing account at zero."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from firmpay.accounting.models import SyncAction, SyncItem, SyncStatus
from firmpay.accounting.tests import sandbox_flows
from firmpay.accounting.tests.flows import drain
from firmpay.clients.services import client_create
from firmpay.invoices.services import invoice_send
from firmpay.invoices.tests.builders import invoice_build, line
from firmpay.payments.online.models import OnlinePayment
from firmpay.payments.online.refunds import payment_refund_create
from firmpay.payouts.models import Payout
from firmpay.payouts.services import payouts_reconcile
from tests.e2e.test_pay_invoice import (
    back_on_the_return_page,
    firm_with_stripe,
    log_in,
    open_invoice_link,
    pay_by_ach,
    pay_by_bacs,
    pay_by_card,
    press_pay,
)
from tests.e2e.test_what_a_firm_sees import snap
from tests.stripe_fixtures import deliver_webhooks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

JOURNEYS = {
    "us": {
        "country": "US",
        "currency": "USD",
        "org": "Demo & Co Accountants",
        "consent": re.compile(r"Demo & Co Accountants \(US, USD\)"),
        "tenant": "xero_us",
        "debit": pay_by_ach,
    },
    "uk": {
        "country": "GB",
        "currency": "GBP",
        "org": "Demo & Co Accountants (UK)",
        "consent": re.compile(r"Demo & Co Accountants \(UK\)"),
        "tenant": "xero_uk",
        "debit": pay_by_bacs,
    },
}


@pytest.fixture
def ledgers(stripe_live_app, settings, accounting_sandbox):
    settings.SITE_URL = stripe_live_app
    settings.ACCOUNTING_TOKEN_KEY = "e2e-accounting-key"
    for name, value in accounting_sandbox.settings().items():
        setattr(settings, name, value)
    sandbox_flows.rate_budgets_forget(settings)
    accounting_sandbox.control("POST", "config", {"rate_limits": False})
    yield accounting_sandbox
    assert accounting_sandbox.violations() == []


def connect_xero(page, app, org: str, consent: re.Pattern) -> None:
    page.goto(f"{app}/settings/integrations/")
    page.locator("#xero-connect").click()
    page.get_by_label(consent).check()
    page.get_by_role("button", name="Allow access").click()
    page.wait_for_url(re.compile(r".*/settings/integrations/accounting/setup/.*"))
    if page.get_by_role("button", name="Use this organisation").count():
        page.get_by_label(org, exact=True).check()
        page.get_by_role("button", name="Use this organisation").click()
    page.get_by_label("Payments post to").select_option(label="090 — Business Bank Account")
    page.get_by_label("Income account for invoice lines").select_option(label="200 — Sales")
    page.get_by_role("button", name="Save and connect").click()
    expect(page.locator("#xero-status")).to_have_text("Connected")


def turn_on_payout_booking(page, app) -> None:
    page.goto(f"{app}/settings/integrations/")
    page.get_by_role("link", name="Change accounts").click()
    form = page.locator("#payouts-form")
    form.get_by_label("Book Stripe payouts").check()
    form.get_by_label("Stripe clearing account").select_option(label="620 — Prepayments")
    form.get_by_label("Stripe and Firmpay fees go to").select_option(label="404 — Bank Fees")
    form.get_by_label("Payouts land in").select_option(label="090 — Business Bank Account")
    form.get_by_role("button", name="Save payout booking").click()
    expect(page.locator("#payouts-error")).to_contain_text("Type BANK")
    form = page.locator("#payouts-form")
    form.get_by_label("Stripe clearing account").select_option(label="091 — Stripe Clearing")
    form.get_by_role("button", name="Save payout booking").click()
    expect(page.get_by_text("Stripe payouts will be booked")).to_be_visible()
    expect(page.locator("#payouts-form").get_by_label("Book Stripe payouts")).to_be_checked()
    snap(page, "payout-booking-settings")
    page.goto(f"{app}/settings/integrations/")
    expect(page.locator("#xero-payouts")).to_contain_text(
        "each payout to 090 Business Bank Account"
    )


def sent_invoice(firm, *, amount: int, name: str):
    """Each client a name of its own: Xero keeps contact names unique."""
    client = client_create(
        firm=firm,
        name=name,
        email=f"ap-{uuid.uuid4().hex[:6]}@client.test",
        currency=firm.default_currency,
    )
    invoice = invoice_build(firm=firm, client=client, lines=[line(unit_amount=amount)])
    invoice_send(invoice=invoice)
    invoice.refresh_from_db()
    return invoice


def client_pays(page, app, stripe_sandbox, invoice, how, state):
    open_invoice_link(page, app, invoice)
    press_pay(page)
    how(page)
    back_on_the_return_page(page, app, stripe_sandbox, state)
    page.goto("about:blank")


def books_settle(rounds: int = 8) -> None:
    """The worker and the 10-minute reconcile, run here: late items are linked and rows
    that waited for their parts are tried again (a minute later for them)."""
    for _ in range(rounds):
        payouts_reconcile()
        SyncItem.objects.filter(status=SyncStatus.PENDING).update(next_attempt_at=timezone.now())
        drain()
        if not SyncItem.objects.filter(status=SyncStatus.PENDING).exists():
            return


@pytest.mark.parametrize("journey", ["us", "uk"])
def test_xero_books_each_payout_so_clearing_nets_to_zero_and_the_bank_line_is_the_payout(
    ledgers, stripe_live_app, stripe_sandbox, page, journey
):
    app, spec = stripe_live_app, JOURNEYS[journey]
    firm = firm_with_stripe(
        stripe_sandbox, country=spec["country"], currency=spec["currency"], name="Ledger & Sons"
    )
    log_in(page, app, firm.owner)
    connect_xero(page, app, spec["org"], spec["consent"])
    turn_on_payout_booking(page, app)

    by_card = sent_invoice(firm, amount=40000, name="Harbour Dental")
    by_debit = sent_invoice(firm, amount=25000, name="Willow Bakery")
    disputed = sent_invoice(firm, amount=12000, name="Quarry Lane Garage")
    client_pays(page, app, stripe_sandbox, by_card, pay_by_card, "paid")
    client_pays(page, app, stripe_sandbox, by_debit, spec["debit"], "processing")
    client_pays(page, app, stripe_sandbox, disputed, pay_by_card, "paid")
    payment_refund_create(
        payment=OnlinePayment.objects.get(invoice=by_card),
        amount=5000,
        reason="requested_by_customer",
        actor=firm.owner,
        request_key="books-journey-refund",
    )
    charge = OnlinePayment.objects.get(invoice=disputed).charge_id
    dispute = stripe_sandbox.control("POST", f"charges/{charge}/dispute", {"reason": "fraudulent"})
    stripe_sandbox.control("POST", f"disputes/{dispute['id']}/close", {"status": "lost"})
    deliver_webhooks(stripe_sandbox)
    for days in (5, 3, 3):  # cards swept; the debit settles and is swept; payouts arrive
        stripe_sandbox.advance(days=days)
        deliver_webhooks(stripe_sandbox)
    books_settle()

    payouts = list(Payout.objects.filter(firm=firm).order_by("stripe_created_at", "id"))
    assert len(payouts) >= 2 and all(p.status == "paid" for p in payouts)
    kinds = {kind for p in payouts for kind in p.items.values_list("kind", flat=True)}
    assert {"payment", "refund", "dispute"} <= kinds
    assert set(
        SyncItem.objects.filter(action=SyncAction.PAYOUT_BOOK).values_list("status", flat=True)
    ) == {SyncStatus.DONE}

    tenant = getattr(ledgers, spec["tenant"])
    rows = ledgers.control("GET", f"xero/organisations/{tenant}/balances")["accounts"]
    balance = {row["Code"]: Decimal(row["Balance"]) for row in rows}
    amounts = [Decimal(p.amount) / 100 for p in payouts]
    assert balance["091"] == 0  # the clearing account nets to zero
    assert balance["090"] == sum(amounts)  # the bank holds exactly the payouts
    assert balance["404"] == sum(
        Decimal(i.stripe_fee + i.firmpay_fee) / 100 for p in payouts for i in p.items.all()
    )

    page.goto(f"{ledgers.base_url}/ledger/xero/{tenant}")
    transfers = page.locator("#bank-transfers tbody tr")
    expect(transfers).to_have_count(len(payouts))
    for payout, amount in zip(payouts, amounts, strict=True):
        line = transfers.filter(has_text=payout.stripe_payout_id)
        expect(line).to_contain_text("Stripe Clearing")
        expect(line).to_contain_text("Business Bank Account")
        expect(line).to_contain_text(f"{amount:.2f}")
    clearing = page.locator("#account-balances tbody tr", has_text="Stripe Clearing")
    expect(clearing.locator("td").last).to_have_text("0.00")
    snap(page, f"payouts-booked-xero-{journey}")

    page.goto(f"{app}{reverse('payouts:detail', args=[payouts[0].pk])}")
    expect(page.locator("#payout-booking")).to_contain_text("Booked in Xero")
