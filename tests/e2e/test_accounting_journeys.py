"""The accounting acceptance journeys in Chromium, with no credentials: the demo firm
connects Xero, or a UK QuickBooks company with VAT, through the accounting sandbox's consent
pages, picks the organisation, its accounts and the tax mapping, sends an invoice to a
client who already exists in that ledger (linked, not duplicated), the client pays by card
through the Stripe sandbox, and the payment shows once on the sandbox's ledger page.

The rows the live server could not finish in its request (our per-second limiter for
QuickBooks) are processed by `drain`, as the sweeper would."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from firmpay.accounting.models import SyncItem, SyncStatus
from firmpay.accounting.tests.flows import drain
from firmpay.clients.services import client_create
from firmpay.invoices.services import invoice_send
from firmpay.invoices.tests.builders import invoice_build, line
from tests.e2e.test_pay_invoice import (
    back_on_the_return_page,
    firm_with_stripe,
    log_in,
    open_invoice_link,
    pay_by_card,
    press_pay,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CLIENT = {"name": "Acme Hardware LLC", "email": "ap@acme-hardware.test"}


@pytest.fixture
def app(stripe_live_app, settings, accounting_sandbox) -> str:
    settings.SITE_URL = stripe_live_app
    settings.ACCOUNTING_TOKEN_KEY = "e2e-accounting-key"
    for name, value in accounting_sandbox.settings().items():
        setattr(settings, name, value)
    # A QuickBooks 429 pauses the company's sync for 60 s, longer than a journey waits; the
    # limits have their own tests (accounting_sandbox/tests/test_limits_and_faults.py and
    # firmpay/accounting/tests/test_limits_keys_and_keepalive.py).
    accounting_sandbox.control("POST", "config", {"rate_limits": False})
    return stripe_live_app


def _choose(page, label: str, text: str) -> None:
    select = page.get_by_label(label)
    value = select.locator("option", has_text=text).first.get_attribute("value")
    select.select_option(value)


def _send_to_the_client_already_there(firm):
    client = client_create(firm=firm, currency="GBP", **CLIENT)
    invoice = invoice_build(
        firm=firm, client=client, lines=[line("Year-end accounts", "1", 48000, "20")]
    )
    invoice = invoice_send(invoice=invoice)
    drain()
    invoice.refresh_from_db()
    return invoice


def _client_pays(page, app, stripe_sandbox, invoice) -> None:
    open_invoice_link(page, app, invoice)
    press_pay(page)
    pay_by_card(page)
    back_on_the_return_page(page, app, stripe_sandbox, "paid")
    drain()
    assert set(SyncItem.objects.values_list("status", flat=True)) == {SyncStatus.DONE}


def _payments_on_the_ledger_page(page, url: str, text: str):
    page.goto(url)
    payments = page.locator("h2:has-text('Payments') + table tbody tr")
    return payments.filter(has_text=text)


def test_xero_journey_links_the_client_and_shows_the_card_payment_once(
    app, page, stripe_sandbox, accounting_sandbox
):
    firm = firm_with_stripe(stripe_sandbox, country="GB", currency="GBP")
    log_in(page, app, firm.owner)
    page.goto(f"{app}/settings/integrations/")
    page.locator("#xero-connect").click()

    expect(page.get_by_text("Xero sandbox — test data only")).to_be_visible()
    page.get_by_label("Demo & Co Accountants (UK)").check()
    page.get_by_role("button", name="Allow access").click()
    expect(page).to_have_url(f"{app}/settings/integrations/accounting/setup/")
    _choose(page, "Payments post to", "Stripe Clearing")
    _choose(page, "Income account for invoice lines", "Sales")
    _choose(page, "Tax on lines that carry tax", "20% (VAT on Income)")
    _choose(page, "Tax on lines without tax", "Zero Rated Income")
    expect(page.get_by_label("Invoice numbers there start with")).to_have_value("FP-")
    page.get_by_role("button", name="Save and connect").click()
    expect(page.locator("#xero-status")).to_have_text("Connected")

    invoice = _send_to_the_client_already_there(firm)
    _client_pays(page, app, stripe_sandbox, invoice)

    number = "FP-" + invoice.number.removeprefix("INV-")
    ledger = f"{accounting_sandbox.base_url}/ledger/xero/{accounting_sandbox.xero_uk}"
    page.goto(ledger)
    contacts = page.locator("h2:has-text('Contacts') + table tbody tr")
    expect(contacts.filter(has_text=CLIENT["name"])).to_have_count(1)
    expect(
        page.locator("h2:has-text('Invoices') + table tbody tr", has_text=number)
    ).to_contain_text("PAID")
    expect(_payments_on_the_ledger_page(page, ledger, number)).to_have_count(1)
    assert accounting_sandbox.violations() == []


def test_uk_quickbooks_journey_sends_vat_and_shows_the_card_payment_once(
    app, page, stripe_sandbox, accounting_sandbox
):
    firm = firm_with_stripe(stripe_sandbox, country="GB", currency="GBP")
    log_in(page, app, firm.owner)
    page.goto(f"{app}/settings/integrations/")
    page.locator("#quickbooks-connect").click()

    expect(page.get_by_text("QuickBooks Online sandbox — test data only")).to_be_visible()
    page.get_by_label("Demo & Co Accountants UK Ltd").check()
    page.get_by_role("button", name="Connect").click()
    expect(page.get_by_text("Accounts in Demo & Co Accountants UK Ltd")).to_be_visible()
    _choose(page, "Payments post to", "Stripe Clearing")
    _choose(page, "Income account for invoice lines", "Services")
    _choose(page, "Tax on lines that carry tax", "20.0% S")
    _choose(page, "Tax on lines without tax", "0.0% Z")
    page.get_by_role("button", name="Save and connect").click()
    expect(page.locator("#quickbooks-status")).to_have_text("Connected")

    invoice = _send_to_the_client_already_there(firm)
    _client_pays(page, app, stripe_sandbox, invoice)

    number = "FP-" + invoice.number.removeprefix("INV-")
    ledger = f"{accounting_sandbox.base_url}/ledger/quickbooks/{accounting_sandbox.qbo_uk}"
    page.goto(ledger)
    customers = page.locator("h2:has-text('Customers') + table tbody tr")
    expect(customers.filter(has_text=CLIENT["name"])).to_have_count(1)
    expect(
        page.locator("h2:has-text('Invoices') + table tbody tr", has_text=number)
    ).to_contain_text("20.0% S")
    payments = _payments_on_the_ledger_page(page, ledger, CLIENT["name"])
    expect(payments.filter(has_text=re.compile(r"576\.00"))).to_have_count(1)
    assert accounting_sandbox.violations() == []
