"""A new firm's first invoice, end to end in Chromium: sign up, add a client, create and send
an invoice, the client opens the emailed link anonymously, the firm records the payment."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://\S+/i/\S+/")


def sign_up(page, base_url: str) -> None:
    page.goto(f"{base_url}/signup/")
    page.get_by_label("Your name").fill("Ada Ledger")
    page.get_by_label("Email").fill("owner@ledger.test")
    page.get_by_label("Password", exact=True).fill("a-long-password-2026")
    page.get_by_label("Firm name").fill("Ledger & Sons")
    page.get_by_label("Country").select_option("US")
    page.get_by_label("Default currency").select_option("USD")
    page.get_by_role("button", name="Create my firm").click()
    expect(page.locator(".who .firm-name")).to_have_text("Ledger & Sons")


def add_client(page, base_url: str) -> None:
    page.goto(f"{base_url}/clients/")
    page.get_by_role("link", name="New client").click()
    page.get_by_label("Name").fill("Acme Hardware LLC")
    page.get_by_label("Email").fill("ap@acme.test")
    page.get_by_label("Currency").select_option("USD")
    page.get_by_role("button", name="Add client").click()
    expect(page.get_by_role("cell", name="Acme Hardware LLC")).to_be_visible()


def create_and_send_invoice(page, base_url: str) -> None:
    page.goto(f"{base_url}/invoices/new/")
    page.get_by_label("Client").select_option(label="Acme Hardware LLC")
    page.get_by_label("Currency").select_option("USD")
    page.locator("[name=lines-0-description]").fill("Year-end accounts")
    page.locator("[name=lines-0-quantity]").fill("1")
    page.locator("[name=lines-0-unit_price]").fill("1200.00")
    page.locator("[name=lines-0-tax_rate]").fill("8.875")
    page.get_by_role("button", name="Add line").click()
    page.locator("[name=lines-1-description]").fill("Payroll, three runs")
    page.locator("[name=lines-1-quantity]").fill("3")
    page.locator("[name=lines-1-unit_price]").fill("45.50")
    page.get_by_role("button", name="Save draft").click()
    # 1,200.00 + 106.50 tax + 136.50 = 1,443.00
    expect(page.locator("#invoice-total")).to_have_text("$1,443.00")
    page.get_by_role("button", name="Send invoice").click()
    expect(page.locator("#invoice-status")).to_have_text("Open")


def test_first_invoice_from_sign_up_to_paid(live_server, new_context):
    base_url = live_server.url
    firm = new_context().new_page()
    sign_up(firm, base_url)
    add_client(firm, base_url)
    create_and_send_invoice(firm, base_url)

    [email] = [m for m in mail.outbox if "ap@acme.test" in m.to]
    link = LINK.search(email.body).group(0)
    assert link.startswith("http")
    client = new_context().new_page()  # a fresh context: no cookies, nobody logged in
    client.goto(base_url + link[link.index("/i/") :])
    expect(client.get_by_text("Ledger & Sons").first).to_be_visible()
    expect(client.locator("#amount-due")).to_have_text("$1,443.00")
    expect(client.get_by_role("link", name="Log out")).to_have_count(0)

    firm.get_by_role("link", name="Record payment").click()
    expect(firm.get_by_label("Amount (USD)")).to_have_value("1443.00")
    firm.get_by_label("Method").select_option("bank_transfer")
    firm.get_by_label("Reference").fill("ACH 99812")
    firm.get_by_role("button", name="Record payment").click()
    expect(firm.locator("#invoice-status")).to_have_text("Paid")
    expect(firm.get_by_role("cell", name="ACH 99812")).to_be_visible()

    client.reload()
    expect(client.locator("#invoice-status")).to_have_text("Paid")
    expect(client.get_by_text("Paid in full")).to_be_visible()
