"""The accounting journey of issue 12 in Chromium, with no fakes: the firm connects Xero (a
UK organisation) or a UK QuickBooks company through the accounting sandbox's consent page,
picks the accounts and the VAT mapping, sends an invoice to a client who is already in that
ledger, the client pays by card through the Stripe sandbox's checkout, and the sandbox's
ledger page shows the invoice linked to the existing contact and the payment once."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from firmpay.accounting.models import AccountingConnection
from firmpay.clients.services import client_create
from firmpay.invoices.services import invoice_send
from firmpay.invoices.tests.builders import invoice_build, line
from tests.e2e.test_pay_invoice import (
    firm_with_stripe,
    log_in,
    open_invoice_link,
    pay_by_card,
    press_pay,
    wait_for,
)
from tests.stripe_fixtures import deliver_webhooks

# The journey needs issue 12's accounting changes (granular scopes, find-before-create, the
# tax mapping on the setup page) from wip/acct; until that branch is merged it is skipped.
_HAS_TAX_MAPPING = any(f.name == "tax_code" for f in AccountingConnection._meta.get_fields())
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not _HAS_TAX_MAPPING, reason="needs wip/acct's tax mapping (issue 12)"),
]

CLIENT = {"name": "Acme Hardware LLC", "email": "ap@acme-hardware.test"}


@pytest.fixture
def ledgers(stripe_live_app, settings, accounting_sandbox):
    settings.SITE_URL = stripe_live_app
    settings.ACCOUNTING_TOKEN_KEY = "e2e-accounting-key"
    for name, value in accounting_sandbox.settings().items():
        setattr(settings, name, value)
    # QuickBooks' 10 calls a second would pause the sync 60 s mid-journey; limits have their
    # own tests (accounting_sandbox/tests/test_limits_and_faults.py, firmpay/accounting).
    accounting_sandbox.control("POST", "config", {"rate_limits": False})
    yield accounting_sandbox
    assert accounting_sandbox.violations() == []


def _connect(page, app, vendor, company, *, payment, income, tax, tax_zero):
    page.goto(f"{app}/settings/integrations/")
    page.locator(f"#{vendor}-connect").click()
    page.get_by_label(company).check()
    page.get_by_role("button", name="Allow access" if vendor == "xero" else "Connect").click()
    page.wait_for_url(re.compile(r".*/settings/integrations/accounting/setup/.*"))
    if page.get_by_role("button", name="Use this organisation").count():
        page.get_by_label(re.compile(re.escape(company.split(" (")[0]))).first.check()
        page.get_by_role("button", name="Use this organisation").click()
    page.get_by_label("Payments post to").select_option(label=payment)
    page.get_by_label("Income account for invoice lines").select_option(label=income)
    _choose(page, "Tax on lines that carry tax", tax)
    _choose(page, "Tax on lines without tax", tax_zero)
    page.get_by_role("button", name="Save and connect").click()
    expect(page.locator(f"#{vendor}-status")).to_have_text("Connected")


def _choose(page, label, starts_with):
    select = page.get_by_label(label)
    options = select.locator("option").all_inner_texts()
    select.select_option(label=next(o for o in options if o.startswith(starts_with)))


def _send_and_pay(page, app, stripe_sandbox, firm):
    client = client_create(firm=firm, currency="GBP", **CLIENT)
    invoice = invoice_build(
        firm=firm,
        client=client,
        lines=[line(unit_amount=20000, tax_rate="20"), line(unit_amount=5000)],
    )
    invoice_send(invoice=invoice)
    invoice.refresh_from_db()
    open_invoice_link(page, app, invoice)
    press_pay(page)
    pay_by_card(page)
    page.wait_for_url(re.compile(r".*/paid/\d+/$"))
    page.goto("about:blank")
    deliver_webhooks(stripe_sandbox)
    return invoice


def test_xero_uk_links_the_existing_contact_and_shows_the_card_payment_once(
    ledgers, stripe_live_app, stripe_sandbox, page
):
    app = stripe_live_app
    firm = firm_with_stripe(stripe_sandbox, country="GB", currency="GBP")
    log_in(page, app, firm.owner)
    _connect(
        page,
        app,
        "xero",
        "Demo & Co Accountants (UK)",
        payment="091 — Stripe Clearing",
        income="200 — Sales",
        tax="20% (VAT on Income)",
        tax_zero="Zero Rated Income",
    )
    _send_and_pay(page, app, stripe_sandbox, firm)

    books = f"xero/organisations/{ledgers.xero_uk}/ledger"

    def paid_once():
        ledger = ledgers.control("GET", books)
        ours = [i for i in ledger["invoices"] if i["Status"] == "PAID" and i["Reference"]]
        return (
            ours
            and len(
                [p for p in ledger["payments"] if p["Invoice"]["InvoiceID"] == ours[0]["InvoiceID"]]
            )
            == 1
        )

    wait_for(paid_once, timeout=30)
    ledger = ledgers.control("GET", books)
    assert [c["Name"] for c in ledger["contacts"]].count(CLIENT["name"]) == 1
    page.goto(f"{ledgers.base_url}/ledger/xero/{ledgers.xero_uk}")
    expect(page.get_by_text("Xero sandbox — test data only")).to_be_visible()
    row = page.locator("tr", has_text="PAID").filter(has_text=CLIENT["name"])
    expect(row).to_have_count(1)
    expect(row).to_contain_text("OUTPUT2, ZERORATEDOUTPUT")
    payments = page.locator("h2:has-text('Payments') + table tbody tr")
    expect(payments.filter(has_text="091")).to_have_count(1)  # one payment, to Stripe Clearing


def test_uk_quickbooks_sends_vat_codes_links_the_customer_and_shows_the_payment_once(
    ledgers, stripe_live_app, stripe_sandbox, page
):
    app = stripe_live_app
    firm = firm_with_stripe(stripe_sandbox, country="GB", currency="GBP")
    log_in(page, app, firm.owner)
    _connect(
        page,
        app,
        "quickbooks",
        "Demo & Co Accountants UK Ltd",
        payment="1010 — Stripe Clearing",
        income="4000 — Services",
        tax="20.0% S",
        tax_zero="0.0% Z",
    )
    _send_and_pay(page, app, stripe_sandbox, firm)

    books = f"quickbooks/companies/{ledgers.qbo_uk}/ledger"

    def paid_once():
        ledger = ledgers.control("GET", books)
        ours = [i for i in ledger["invoices"] if str(i.get("DocNumber", "")).startswith("FP-")]
        return ours and ours[0]["Balance"] == 0 and len(ledger["payments"]) == 1

    wait_for(paid_once, timeout=30)
    ledger = ledgers.control("GET", books)
    assert [c["DisplayName"] for c in ledger["customers"]].count(CLIENT["name"]) == 1
    page.goto(f"{ledgers.base_url}/ledger/quickbooks/{ledgers.qbo_uk}")
    expect(page.locator("tr", has_text="FP-")).to_contain_text("20.0% S, 0.0% Z")
    payments = page.locator("h2:has-text('Payments') + table tbody tr")
    expect(payments.filter(has_text="Stripe Clearing")).to_have_count(1)  # one payment
