"""Issue 15's acceptance journey, in Chromium, as one story.

A UK firm sets up a monthly retainer that is collected automatically; the client authorises
a Bacs Direct Debit mandate on the sandbox's hosted setup page (with the Direct Debit
Guarantee); the clocks move a month; the invoice is issued, charged, processing, then
paid, with no click by anyone. Then a US firm's client pays by card: the first month is
collected, the second month's charge is declined, the client follows the email's link,
saves another card, and the retry pays.

Periodic work runs as under `make run`: each minute of the moved clock, `scheduler_minute`
asks Huey which periodic tasks are due (the consumer's own crontab check) and runs them
(Huey is immediate in tests) — the recurring sweep at minute 3 of each hour, the autopay
sweep every minute, and whatever else is due. The firm's clock is `time_machine`; the Stripe
sandbox runs in this process on the same wall clock (plus its own offset), so it moves with
it, and a debit settles when the sandbox sees its three days pass. Webhooks are held while
the browser works and released by `deliver_webhooks`, as in the other journeys."""

from __future__ import annotations

import calendar
import datetime
import logging
import re
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.utils.module_loading import autodiscover_modules
from huey.contrib.djhuey import HUEY
from playwright.sync_api import expect

from firmpay.clients.services import client_create
from firmpay.payments.autopay.models import AutopayAuthorisation
from tests.e2e.test_autopay import save_bacs, save_card
from tests.e2e.test_pay_invoice import (  # noqa: F401 - the app fixture
    PASSWORD,
    app,
    firm_with_stripe,
)
from tests.stripe_fixtures import deliver_webhooks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONDON = zoneinfo.ZoneInfo("Europe/London")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
LINK = re.compile(r"https?://\S+")


class _Errors(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


def scheduler_minute() -> list[str]:
    """One minute of the scheduler `make run` starts: the periodic tasks Huey says are due
    now, enqueued as the consumer does (run at once: Huey is immediate in tests). A task
    that raises fails the journey (Huey itself would only log it)."""
    autodiscover_modules("tasks")  # as `manage.py run_huey` does before it starts
    errors = _Errors()
    huey_log = logging.getLogger("huey")
    huey_log.addHandler(errors)
    try:
        due = HUEY.read_periodic(HUEY._get_timestamp())
        for task in due:
            HUEY.enqueue(task)
    finally:
        huey_log.removeHandler(errors)
    assert not errors.records, [r.getMessage() for r in errors.records]
    return [task.name for task in due]


def at(clock, moment: datetime.datetime) -> list[str]:
    """Move the (ticking) clock to `moment` and run that minute's periodic tasks."""
    clock.move_to(moment)
    return scheduler_minute()


def month_after(day: datetime.date) -> datetime.date:
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def emails_to(address: str) -> list:
    return [m for m in mail.outbox if m.to == [address]]


def one_email(address: str, subject: str):
    found = [m for m in emails_to(address) if m.subject == subject]
    assert len(found) == 1, [m.subject for m in emails_to(address)]
    return found[0]


def link_in(body: str, path: str) -> str:
    return next(url for url in LINK.findall(body) if path in url)


def log_in(page, base: str, user) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()


def new_retainer(page, base: str, *, client: str, start: datetime.date, price: str) -> None:
    """Invoices → Recurring → New schedule: monthly, collected automatically on issue."""
    page.goto(f"{base}/invoices/")
    page.get_by_role("link", name="Recurring").click()
    page.get_by_role("link", name="New schedule").click()
    page.get_by_label("Client").select_option(label=client)
    page.get_by_label("How often").select_option(label="Monthly")
    page.get_by_label("Start date").fill(start.isoformat())
    page.get_by_label("Issue day").fill(str(start.day))
    page.get_by_label("Collect automatically").select_option(label="On issue")
    page.get_by_label("Description").fill("Monthly bookkeeping retainer")
    page.get_by_label("Quantity").fill("1")
    page.get_by_label("Unit price").fill(price)
    page.get_by_role("button", name="Save schedule").click()
    expect(page.get_by_role("status")).to_contain_text("Recurring schedule saved.")
    expect(page.locator("#next-issue")).to_contain_text(start.strftime("%B %Y"))


def firm_invoice(page, base: str, number: str):
    """The firm's invoices list → the invoice's page."""
    page.goto(f"{base}/invoices/")
    row = page.locator("table.invoice-list tbody tr").filter(has_text=number)
    expect(row).to_be_visible()
    row.get_by_role("link", name=number).click()
    expect(page.get_by_role("heading", name=f"Invoice {number}")).to_be_visible()
    return page


def test_retainers_are_collected_automatically_by_bacs_and_by_card(
    app,  # noqa: F811
    new_context,
    stripe_sandbox,
):
    firm_page = new_context().new_page()
    client_page = new_context().new_page()
    today = datetime.datetime.now(LONDON).date()
    start = datetime.datetime.combine(today, datetime.time(9, 0, 30), LONDON)

    with time_machine.travel(start, tick=True) as clock:
        # --- UK: the firm sets up a monthly retainer and asks the client to authorise ----
        firm = firm_with_stripe(
            stripe_sandbox, country="GB", currency="GBP", name="Ledger & Sons Ltd"
        )
        firm.timezone = "Europe/London"
        firm.save(update_fields=["timezone"])
        uk = client_create(
            firm=firm, name="Acme Hardware Ltd", email="ap@acme-hardware.test", currency="GBP"
        )
        issue_day = month_after(today)
        log_in(firm_page, app, firm.owner)
        new_retainer(firm_page, app, client="Acme Hardware Ltd", start=issue_day, price="450.00")
        firm_page.goto(f"{app}/payments/autopay/")
        firm_page.get_by_label("Send an authorisation request to").select_option(
            label="Acme Hardware Ltd"
        )
        firm_page.get_by_role("button", name="Send request").click()
        expect(firm_page.get_by_role("status")).to_contain_text(
            "Authorisation request sent to ap@acme-hardware.test"
        )

        # --- the client authorises a Bacs mandate on the hosted setup page ---------------
        request = one_email(uk.email, "Ledger & Sons Ltd asks you to set up automatic payments")
        client_page.goto(link_in(request.body, "/autopay/"))
        client_page.get_by_role("button", name="Set up automatic payments").click()
        expect(client_page.get_by_text("Nothing is charged now")).to_be_visible()
        save_bacs(client_page)  # checks the Direct Debit Guarantee is on the page
        expect(client_page.locator("#autopay-status")).to_contain_text(
            "Bacs Direct Debit ending 2345"
        )
        expect(client_page.locator("#mandate-reference")).to_contain_text("FIRMPAY-")
        deliver_webhooks(stripe_sandbox)
        firm_page.reload()
        clients_paying = firm_page.locator("#autopay-clients")
        expect(clients_paying).to_contain_text("Acme Hardware Ltd")
        expect(clients_paying).to_contain_text("Bacs Direct Debit ending 2345 · mandate FIRMPAY-")

        # --- a month later: issued at 08:03, charged the next minute, no click by anyone ---
        before_issue = len(mail.outbox)
        ran = at(clock, datetime.datetime.combine(issue_day, datetime.time(7, 2, 50), LONDON))
        assert "recurring_sweep_task" not in ran
        ran = at(clock, datetime.datetime.combine(issue_day, datetime.time(8, 3, 0), LONDON))
        assert "recurring_sweep_task" in ran and "autopay_sweep_task" in ran
        at(clock, datetime.datetime.combine(issue_day, datetime.time(8, 4, 0), LONDON))
        deliver_webhooks(stripe_sandbox)
        at(clock, datetime.datetime.combine(issue_day, datetime.time(8, 5, 0), LONDON))

        new_mail = mail.outbox[before_issue:]
        invoice_mail = next(m for m in new_mail if m.subject.startswith("Invoice INV-0001"))
        assert invoice_mail.to == [uk.email]
        assert (
            f"will be collected automatically on {issue_day.day} {issue_day:%B %Y} from your "
            "Bacs Direct Debit ending 2345" in invoice_mail.body
        )
        initiated = one_email(uk.email, "Payment initiated: £450.00 for invoice INV-0001")
        assert "Your payment of £450.00 by Bacs direct debit" in initiated.body

        client_page.goto(link_in(invoice_mail.body, "/i/"))
        expect(client_page.get_by_role("heading", name="Invoice INV-0001")).to_be_visible()
        expect(client_page.locator("#processing-notice, #autopay-in-flight")).to_contain_text(
            "no need to pay again"
        )
        expect(client_page.locator("#pay-button")).to_have_count(0)
        log_in(firm_page, app, firm.owner)  # a month on: the session from before expired
        firm_invoice(firm_page, app, "INV-0001")
        expect(firm_page.locator("#invoice-status")).to_have_text("Payment processing")
        expect(firm_page.locator("#on-its-way")).to_contain_text(
            "£450.00 by bank debit from Acme Hardware Ltd"
        )
        expect(firm_page.locator("#autopay-collection")).to_have_text(
            "Being collected automatically from Bacs Direct Debit ending 2345."
        )
        expect(firm_page.locator("#payment-timeline")).to_contain_text("Charged automatically")

        # --- three days on, the debit settles: paid ------------------------------------
        settled = datetime.datetime.combine(
            issue_day + datetime.timedelta(days=3), datetime.time(9, 0, 0), LONDON
        )
        at(clock, settled)
        stripe_sandbox.advance(seconds=1)  # the sandbox's settling job, now rather than on its tick
        deliver_webhooks(stripe_sandbox)
        client_page.reload()
        expect(client_page.locator("#paid-notice")).to_be_visible()
        firm_page.reload()
        expect(firm_page.locator("#invoice-status")).to_have_text("Paid")
        expect(firm_page.locator("#autopay-collection")).to_have_text(
            "Collected automatically from Bacs Direct Debit ending 2345."
        )
        one_email(uk.email, "Receipt: £450.00 paid to Ledger & Sons Ltd for invoice INV-0001")
        assert not [m for m in emails_to(uk.email) if "did not go through" in m.subject]
        firm_page.goto(f"{app}/invoices/")
        row = firm_page.locator("table.invoice-list tbody tr").filter(has_text="INV-0001")
        expect(row).to_contain_text("Acme Hardware Ltd")
        row.get_by_role("link", name="Recurring").click()
        expect(firm_page.locator("#schedule-invoices")).to_contain_text("INV-0001")

        # --- US: a card retainer from today, the client authorises from the invoice --------
        us_start = settled.astimezone(NEW_YORK).date()
        us_firm = firm_with_stripe(stripe_sandbox, name="Hudson Bookkeeping")
        us_firm.timezone = "America/New_York"
        us_firm.save(update_fields=["timezone"])
        us = client_create(
            firm=us_firm, name="Brooklyn Bikes", email="ap@brooklyn-bikes.test", currency="USD"
        )
        log_in(firm_page, app, us_firm.owner)
        new_retainer(firm_page, app, client="Brooklyn Bikes", start=us_start, price="300.00")
        first_run = datetime.datetime.combine(us_start, datetime.time(7, 3, 0), NEW_YORK)
        at(clock, first_run)
        first_mail = one_email(us.email, "Invoice INV-0001 from Hudson Bookkeeping")
        assert "Pay automatically from now on" in first_mail.body
        client_page.goto(link_in(first_mail.body, "/i/"))
        client_page.get_by_role("button", name="Pay automatically from now on").click()
        save_card(client_page, "4242 4242 4242 4242")
        expect(client_page.locator("#autopay-status")).to_contain_text("Card ending 4242")
        deliver_webhooks(stripe_sandbox)
        at(clock, first_run + datetime.timedelta(minutes=2))
        deliver_webhooks(stripe_sandbox)
        one_email(us.email, "Receipt: $300.00 paid to Hudson Bookkeeping for invoice INV-0001")

        # --- a month on, the card is declined (sandbox control) --------------------------
        card = AutopayAuthorisation.objects.get(client=us, status="active").payment_method_id
        stripe_sandbox.control("POST", f"payment_methods/{card}/card", {"charge": "decline"})
        second_day = month_after(us_start)
        second_run = datetime.datetime.combine(second_day, datetime.time(7, 3, 0), NEW_YORK)
        at(clock, second_run)
        at(clock, second_run + datetime.timedelta(minutes=1))
        deliver_webhooks(stripe_sandbox)
        retry_on = second_day + datetime.timedelta(days=3)
        failed = one_email(
            us.email, "Your automatic payment for invoice INV-0002 did not go through"
        )
        assert "from your Card ending 4242" in failed.body
        assert "did not go through (Your card was declined.)" in failed.body
        assert f"We will try again on {retry_on.day} {retry_on:%B %Y}" in failed.body
        assert [m.subject for m in emails_to(us.email) if "did not go through" in m.subject] == [
            failed.subject
        ]
        firm_told = [m for m in mail.outbox if m.subject.startswith("Automatic payment failed")]
        assert [m.subject for m in firm_told] == [
            "Automatic payment failed: $300.00 for invoice INV-0002 (Brooklyn Bikes)"
        ]
        log_in(firm_page, app, us_firm.owner)  # a month on again
        firm_invoice(firm_page, app, "INV-0002")
        expect(firm_page.locator("#invoice-status")).not_to_have_text("Paid")
        expect(firm_page.locator("#amount-due")).to_have_text("$300.00")
        expect(firm_page.locator("#autopay-collection")).to_contain_text(
            "The automatic payment did not go through (Your card was declined.). Next try from "
            f"Card ending 4242 on {retry_on.day} {retry_on:%B %Y}"
        )

        client_page.goto(link_in(failed.body, "/i/"))
        expect(client_page.locator("#autopay-retrying")).to_contain_text(
            f"did not go through. It will be tried again on {retry_on.day} {retry_on:%B %Y}"
        )
        expect(client_page.locator("#pay-button")).to_be_visible()

        # --- the client updates the card from the email link; the retry pays -------------
        client_page.goto(link_in(failed.body, "/autopay/"))
        expect(client_page.locator("#autopay-status")).to_contain_text("Card ending 4242")
        client_page.get_by_role("button", name="Use another card or bank account").click()
        save_card(client_page, "5555 5555 5555 4444")
        expect(client_page.locator("#autopay-status")).to_contain_text("Card ending 4444")
        deliver_webhooks(stripe_sandbox)
        at(clock, second_run + datetime.timedelta(minutes=20))
        deliver_webhooks(stripe_sandbox)
        client_page.goto(link_in(failed.body, "/i/"))
        expect(client_page.locator("#paid-notice")).to_be_visible()
        one_email(us.email, "Receipt: $300.00 paid to Hudson Bookkeeping for invoice INV-0002")
        firm_page.reload()
        expect(firm_page.locator("#invoice-status")).to_have_text("Paid")
        expect(firm_page.locator("#autopay-collection")).to_have_text(
            "Collected automatically from Card ending 4444."
        )
        firm_page.goto(f"{app}/payments/autopay/")
        expect(firm_page.locator("#autopay-clients")).to_contain_text("Card ending 4444")
        expect(firm_page.locator("#autopay-attention")).to_contain_text("Nothing needs attention.")
