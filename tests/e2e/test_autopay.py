"""Autopay in Chromium: a UK client authorises a Bacs mandate from the invoice page on the
sandbox's hosted setup page (mandate terms shown), the invoice is charged by the sweep with
no click, processing, then paid; a US client's saved card is declined, the client saves a
new card from their autopay link and the retry pays; an expired autopay link offers a new
one by email. The whole acceptance journey is test_retainer_journey.py."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from firmpay.payments.autopay.authorise import client_autopay_token, client_autopay_url
from firmpay.payments.autopay.charges import autopay_sweep
from firmpay.payments.autopay.models import InvoiceAutopay
from tests.e2e.test_pay_invoice import (  # noqa: F401 - the app fixture
    app,
    firm_with_stripe,
    open_invoice_link,
    sent_invoice,
    status_of,
)
from tests.stripe_fixtures import deliver_webhooks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def save_bacs(page) -> None:
    page.get_by_role("link", name="Bacs Direct Debit").click()
    expect(page.get_by_role("region", name="Direct Debit mandate")).to_contain_text(
        "Direct Debit Guarantee"
    )
    page.get_by_label("Account holder name").fill("Acme Ltd")
    page.get_by_label("Sort code").fill("108800")
    page.get_by_label("Account number").fill("00012345")
    page.get_by_label(re.compile("I authorise")).check()
    page.get_by_role("button", name="Save and authorise future payments").click()


def save_card(page, number: str) -> None:
    page.get_by_label("Card number").fill(number)
    page.get_by_label("Expiry (MM / YY)").fill("12 / 34")
    page.get_by_label("CVC").fill("123")
    page.get_by_role("button", name="Save and authorise future payments").click()


def test_uk_client_authorises_bacs_and_the_invoice_is_collected(app, page, stripe_sandbox):  # noqa: F811
    firm = firm_with_stripe(stripe_sandbox, country="GB", currency="GBP", name="Ledger & Sons Ltd")
    invoice = sent_invoice(firm, currency="GBP")
    open_invoice_link(page, app, invoice)
    page.get_by_role("button", name="Pay automatically from now on").click()
    expect(page.get_by_text("Nothing is charged now")).to_be_visible()
    save_bacs(page)
    expect(page.locator("#mandate-reference")).to_contain_text("FIRMPAY-")
    expect(page.locator("#autopay-status")).to_contain_text("Bacs Direct Debit ending 2345")
    deliver_webhooks(stripe_sandbox)
    assert autopay_sweep().processing == 1
    deliver_webhooks(stripe_sandbox)
    assert status_of(invoice) == "payment_processing"
    stripe_sandbox.advance(days=3)
    deliver_webhooks(stripe_sandbox)
    assert status_of(invoice) == "paid"
    assert InvoiceAutopay.objects.get(invoice=invoice).status == "collected"


def test_declined_card_is_updated_from_the_link_and_the_retry_pays(app, page, stripe_sandbox):  # noqa: F811
    firm = firm_with_stripe(stripe_sandbox)
    invoice = sent_invoice(firm)
    open_invoice_link(page, app, invoice)
    page.get_by_role("button", name="Pay automatically from now on").click()
    save_card(page, "4000 0000 0000 0341")
    expect(page.locator("#autopay-status")).to_contain_text("Card ending 0341")
    autopay_sweep()
    deliver_webhooks(stripe_sandbox)
    assert InvoiceAutopay.objects.get(invoice=invoice).status == "retrying"
    page.goto(f"{app}/autopay/{client_autopay_token(client=invoice.client)}/")
    page.get_by_role("button", name="Use another card or bank account").click()
    save_card(page, "4242 4242 4242 4242")
    expect(page.locator("#autopay-status")).to_contain_text("Card ending 4242")
    assert autopay_sweep(now=timezone.now() + datetime.timedelta(days=3, hours=1)).charged == 1
    deliver_webhooks(stripe_sandbox)
    assert status_of(invoice) == "paid"


def test_an_expired_autopay_link_offers_a_new_one_by_email(app, page, stripe_sandbox):  # noqa: F811
    firm = firm_with_stripe(stripe_sandbox)
    invoice = sent_invoice(firm)
    old_link = client_autopay_url(client=invoice.client)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=45)):
        page.goto(old_link)
        expect(page.get_by_role("heading", name="This link has expired")).to_be_visible()
        expect(page.get_by_role("button", name="Set up automatic payments")).to_have_count(0)
        page.get_by_role("button", name="Email me a new link").click()
        expect(page.get_by_role("status")).to_contain_text("We have emailed a new link")
        [message] = [m for m in mail.outbox if m.subject.startswith("Your new link")]
        assert message.to == [invoice.client.email]
        new_link = re.search(r"https?://\S+/autopay/\S+/", message.body).group(0)
        page.goto(new_link)
        expect(page.get_by_role("button", name="Set up automatic payments")).to_be_visible()
