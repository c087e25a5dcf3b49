"""In-app help, end to end in Chromium: a firm owner with a Firmpay-created Stripe account
asks for a disconnect from the Stripe card's ⋯ menu; support (a Django staff user) finds it
in the help inbox with the account beside the thread and disconnects in one click; the
firm's page, never reloaded, shows the reply in the thread and the card Not connected
(htmx polling); the audit record names the conversation.

Setup as in test_stripe_connect.py: the live server registered with the Stripe sandbox,
webhook deliveries held while the browser is busy and released when it is idle."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from firmpay.core.models import AuditRecord
from firmpay.helpdesk.models import Conversation
from tests.e2e.test_stripe_connect import (
    INTEGRATIONS,
    active_platform_account,
    app,  # noqa: F401 - the live server pointed at the sandbox (a fixture)
    deliver_webhooks,
    log_in,
    make_firm,
    make_user,
    snap,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DONE = "we disconnected your Stripe account"


def test_firm_asks_support_to_disconnect_and_support_does_it_from_the_thread(
    app,  # noqa: F811
    new_context,
    stripe_sandbox,
):
    firm = make_firm(name="Ledger & Daughters")
    account = active_platform_account(firm, stripe_sandbox)
    acct = account.stripe_account_id
    deliver_webhooks(stripe_sandbox)

    # The firm owner asks from the Stripe card's ⋯ menu.
    owner = new_context(viewport={"width": 1280, "height": 800}).new_page()
    log_in(owner, app, firm.owner)
    owner.goto(app + INTEGRATIONS)
    expect(owner.locator("#stripe-status")).to_have_text("Active")
    owner.evaluate("window.helpNotReloaded = true")
    owner.get_by_label("More Stripe actions").click()
    owner.get_by_role("link", name="Request disconnect of my Stripe account").click()
    panel = owner.locator("#help-panel")
    message = panel.get_by_label("Message")
    expect(message).to_have_value(
        re.compile(f"^Please disconnect our Stripe account {acct} from Firmpay")
    )
    message.press("Control+End")
    message.type("We are closing the practice.")
    panel.get_by_role("button", name="Send").click()
    expect(panel.locator("#help-thread")).to_contain_text("We are closing the practice.")
    expect(panel.locator("#help-thread")).to_contain_text("Sent to Firmpay support")
    snap(owner, "help-panel-request")
    conversation = Conversation.objects.get(firm=firm)
    assert conversation.tag == "stripe_disconnect"

    # Support sees it in the inbox, with the account beside the thread.
    support = new_context(viewport={"width": 1280, "height": 800}).new_page()
    log_in(support, app, make_user("support", is_staff=True))
    support.goto(f"{app}/support/")
    support.get_by_role("link", name="Help inbox").click()
    row = support.locator("#help-inbox tbody tr").filter(has_text=firm.name)
    expect(row).to_contain_text("Stripe disconnect")
    expect(row).to_contain_text("Unanswered")
    snap(support, "help-inbox")
    row.get_by_role("link", name="Stripe disconnect").click()
    expect(support.locator("#help-account")).to_contain_text(acct)
    expect(support.locator("#help-account-status")).to_have_text("Active")
    expect(support.locator("#support-help-thread")).to_contain_text("We are closing the practice.")
    expect(support.locator("#help-context")).to_contain_text(firm.owner.email)

    # One click (and a confirmation) disconnects it and tells the firm in the thread.
    support.get_by_text("Disconnect this account…").click()
    support.get_by_role("button", name="Yes, disconnect").click()
    expect(support.locator("#help-account-status")).to_have_text("Not connected")
    expect(support.locator("#support-help-thread")).to_contain_text(DONE)
    snap(support, "help-support-thread")

    # The firm's page, never reloaded: the thread and the card catch up by polling.
    expect(panel.locator("#help-thread")).to_contain_text(DONE, timeout=15_000)
    expect(owner.locator("#stripe-status")).to_have_text("Not connected", timeout=15_000)
    assert owner.evaluate("window.helpNotReloaded === true")
    snap(owner, "help-panel-done")

    record = AuditRecord.objects.get(firm=firm, action="payments.account_disconnected")
    assert record.detail["support_ticket"] == f"helpdesk:{conversation.pk}"
    assert record.detail["by_support"] is True
    assert record.actor.is_staff
    deliver_webhooks(stripe_sandbox)  # whatever Stripe says of it changes nothing more
    owner.reload()
    expect(owner.locator("#stripe-status")).to_have_text("Not connected")
