"""Payment reminders in Chromium: the firm edits its policy, sees the reminders due this
week, sends one by hand from the invoice page, and a second the same day is refused."""

import datetime

import pytest
from django.core import mail
from playwright.sync_api import expect

from firmpay.clients.tests.builders import client_build, firm_build, member_build
from firmpay.invoices.dates import firm_today
from firmpay.invoices.models import Invoice
from firmpay.invoices.services import invoice_send
from firmpay.invoices.tests.builders import invoice_build
from firmpay.tenancy.models import Role
from firmpay.tenancy.tests.factories import DEFAULT_PASSWORD as PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]



def seed():
    firm = firm_build(name="Ledger & Sons", timezone="Europe/London", email="office@ledger.test")
    member_build(firm=firm, role=Role.OWNER, email="owner@ledger.test")
    client = client_build(firm=firm, name="Acme Hardware", email="ap@acme.test")
    today = firm_today(firm)
    invoice = invoice_build(
        firm=firm,
        client=client,
        issue_date=today - datetime.timedelta(days=20),
        due_date=today + datetime.timedelta(days=5),
    )
    invoice_send(invoice=invoice)
    # Emailed well before its reminders, as a real invoice would have been.
    Invoice.objects.filter(pk=invoice.pk).update(
        sent_at=invoice.sent_at - datetime.timedelta(days=20)
    )
    return invoice


def log_in(page, base_url):
    page.goto(f"{base_url}/login/")
    page.get_by_label("Email").fill("owner@ledger.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()


def reminder_emails():
    return [
        message
        for message in mail.outbox
        if message.to == ["ap@acme.test"] and "stop payment reminders" in message.body
    ]


def test_firm_edits_policy_sees_upcoming_and_sends_one_reminder_a_day(live_server, page):
    invoice = seed()
    base_url = live_server.url
    log_in(page, base_url)

    page.goto(f"{base_url}/reminders/policy/")
    page.get_by_label("Send at").select_option(label="10:00")
    page.locator("[name=steps-1-subject]").fill("{invoice_number}: {amount_due} due today")
    page.locator("[name=steps-1-body]").fill("Dear {client_name}, please pay {amounts} today.")
    page.get_by_role("button", name="Save policy").click()
    # An unknown placeholder is a clear form error, and nothing is saved.
    expect(page.locator("#step-1 .errorlist")).to_contain_text("Unknown placeholder {amounts}")
    page.locator("[name=steps-1-body]").fill(
        "Dear {client_name}, please pay {amount_due}: {pay_link}"
    )
    page.get_by_role("button", name="Save policy").click()
    expect(page.get_by_role("status")).to_contain_text("Reminder policy saved.")
    expect(page.locator("#policy-summary")).to_contain_text("10:00 (Europe/London)")

    upcoming = page.locator("#upcoming-reminders")
    expect(upcoming).to_contain_text(invoice.number)
    # Due in 5 days: "3 days before" in 2 days, "on the due date" in 5, both at 10:00.
    expect(upcoming).to_contain_text("3 days before the due date")
    expect(upcoming).to_contain_text("On the due date")
    expect(upcoming).to_contain_text("10:00")

    page.get_by_role("link", name=invoice.number).first.click()
    panel = page.locator("#reminders-panel")
    expect(panel).to_contain_text("Next reminder: 3 days before the due date")
    page.get_by_role("button", name="Send reminder now").click()
    expect(page.locator("#reminders-notice")).to_have_text(
        f"Reminder for {invoice.number} sent to ap@acme.test."
    )
    expect(page.locator("#reminder-history")).to_contain_text("Sent by hand")

    page.get_by_role("button", name="Send reminder now").click()
    expect(page.locator("#reminders-notice")).to_contain_text(
        f"A reminder for {invoice.number} was already sent by hand"
    )
    expect(page.locator("#reminder-history tbody tr")).to_have_count(1)
    [message] = reminder_emails()
    assert message.subject.startswith(f"Invoice {invoice.number}")
