"""Recurring invoices in Chromium: the firm sets up a monthly retainer, the clock moves to
its issue day, the sweep issues the invoice, and it appears in the invoices list with its
schedule's label."""

import datetime

import pytest
import time_machine
from django.core import mail
from playwright.sync_api import expect

from firmpay.clients.tests.builders import client_build, firm_build, member_build
from firmpay.invoices.dates import firm_today
from firmpay.recurring.dates import firm_zone
from firmpay.recurring.models import Schedule
from firmpay.recurring.sweep import recurring_sweep
from firmpay.tenancy.models import Role
from firmpay.tenancy.tests.factories import DEFAULT_PASSWORD as PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base_url):
    page.goto(f"{base_url}/login/")
    page.get_by_label("Email").fill("owner@ledger.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()


def test_firm_sets_up_a_monthly_retainer_that_the_sweep_issues(live_server, page):
    firm = firm_build(name="Ledger & Sons", timezone="Europe/London", email="office@ledger.test")
    member_build(firm=firm, role=Role.OWNER, email="owner@ledger.test")
    client = client_build(firm=firm, name="Acme Hardware", email="ap@acme.test")
    start = firm_today(firm) + datetime.timedelta(days=3)
    base_url = live_server.url
    log_in(page, base_url)

    page.goto(f"{base_url}/invoices/")
    page.get_by_role("link", name="Recurring").click()
    page.get_by_role("link", name="New schedule").click()
    page.get_by_label("Client").select_option(label="Acme Hardware")
    page.get_by_label("How often").select_option(label="Monthly")
    page.get_by_label("Start date").fill(start.isoformat())
    page.get_by_label("Issue day").fill(str(start.day))
    page.get_by_label("Description").fill("Monthly bookkeeping retainer")
    page.get_by_label("Quantity").fill("1")
    page.get_by_label("Unit price").fill("")
    page.get_by_role("button", name="Save schedule").click()
    # A missing price is shown next to its input, and nothing is saved.
    expect(page.locator("tr.line .errorlist")).to_be_visible()
    page.get_by_label("Unit price").fill("450.00")
    page.get_by_role("button", name="Save schedule").click()
    expect(page.get_by_role("status")).to_contain_text("Recurring schedule saved.")
    expect(page.locator("#next-issue")).to_contain_text(start.strftime("%B %Y"))
    schedule = Schedule.objects.get()

    # The firm's clock moves to 08:03 on the issue day (London); the hourly sweep runs.
    issue_moment = datetime.datetime.combine(start, datetime.time(8, 3), firm_zone(firm.timezone))
    with time_machine.travel(issue_moment, tick=False):
        assert recurring_sweep().issued == 1

    page.goto(f"{base_url}/invoices/")
    row = page.locator("table.invoice-list tbody tr").filter(has_text="INV-0001")
    expect(row).to_contain_text("Acme Hardware")
    expect(row).to_contain_text("450.00")
    row.get_by_role("link", name="Recurring").click()
    expect(page).to_have_url(f"{base_url}/invoices/recurring/{schedule.pk}/")
    expect(page.locator("#schedule-invoices")).to_contain_text("INV-0001")
    assert [m.to for m in mail.outbox if "INV-0001" in m.subject] == [[client.email]]
