"""An owner invites a colleague in Chromium; the colleague opens the emailed link in a fresh
browser, sets a password and lands in the firm as staff; the link then works no more."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from firmpay.tenancy.tests.factories import DEFAULT_PASSWORD, make_firm, make_owner

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://\S+(/invitations/\S+/)")


def test_invited_colleague_joins_once(live_server, new_context):
    firm = make_firm(name="Ledger & Sons")
    owner = make_owner(firm)
    page = new_context().new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto(f"{live_server.url}/settings/members/")
    page.get_by_label("Email", exact=True).fill("colleague@ledger.test")
    page.get_by_label("Role", exact=True).select_option("staff")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to colleague@ledger.test")).to_be_visible()
    expect(page.get_by_role("cell", name="colleague@ledger.test")).to_be_visible()

    [email] = [m for m in mail.outbox if m.to == ["colleague@ledger.test"]]
    path = LINK.search(email.body).group(1)
    colleague = new_context().new_page()
    colleague.goto(live_server.url + path)
    expect(colleague.get_by_role("heading", name="Join Ledger & Sons")).to_be_visible()
    colleague.get_by_label("Your name").fill("Col League")
    colleague.get_by_label("Password").fill("colleague-password-2026")
    colleague.get_by_role("button", name="Create account and join").click()
    expect(colleague.get_by_text("You joined Ledger & Sons as Staff")).to_be_visible()
    expect(colleague.locator(".who .firm-name")).to_have_text("Ledger & Sons")

    colleague.goto(f"{live_server.url}/settings/members/")
    expect(colleague.get_by_role("button", name="Send invitation")).to_have_count(0)

    stranger = new_context().new_page()
    stranger.goto(live_server.url + path)
    expect(stranger.get_by_text("already been used")).to_be_visible()
