"""Connect Xero in Chromium: the Connect button leads to a fake Xero consent page (a tiny
http.server on 127.0.0.1 playing login.xero.com's authorize step), which redirects back with
code and state; the token, /connections and Accounts calls the live server makes go through
the respx fake of Xero (same process). Choose the organisation and the accounts; the card
shows Connected with the organisation's name."""

from __future__ import annotations

import html
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
import respx
from playwright.sync_api import expect

from firmpay.accounting.models import AccountingConnection
from firmpay.accounting.tests.fakes.xero import FakeXero
from firmpay.core.models import AuditRecord
from firmpay.tenancy.tests.factories import DEFAULT_PASSWORD, make_owner

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def xero(settings):
    settings.ACCOUNTING_TOKEN_KEY = "e2e-accounting-key"
    settings.XERO_CLIENT_ID, settings.XERO_CLIENT_SECRET = "xero-client", "xero-secret"
    with respx.mock(assert_all_called=False) as router:
        yield FakeXero().install(router)


@pytest.fixture
def consent_page(xero, settings):
    """Xero's authorize page: shows the app asking for access, "Allow access" redirects back."""

    class Authorize(BaseHTTPRequestHandler):
        def do_GET(self):
            query = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
            assert query["client_id"] == "xero-client" and "offline_access" in query["scope"]
            back = urlencode({"code": xero.oauth.issue_code(), "state": query["state"]})
            target = html.escape(f"{query['redirect_uri']}?{back}")
            page = (
                "<!doctype html><title>Xero | Authorise</title><h1>Xero</h1>"
                "<p>Firmpay would like access to your Xero organisations.</p>"
                f'<a href="{target}">Allow access</a>'
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Authorize)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.XERO_AUTHORIZE_URL = f"http://127.0.0.1:{server.server_port}/authorize"
    yield server
    server.shutdown()
    server.server_close()


def test_owner_connects_xero_and_card_shows_the_organisation(live_server, page, consent_page):
    owner = make_owner()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()

    page.goto(f"{live_server.url}/settings/integrations/")
    expect(page.locator("#xero-status")).to_have_text("Not connected")
    page.locator("#xero-connect").click()

    expect(page.get_by_text("Firmpay would like access")).to_be_visible()
    page.get_by_role("link", name="Allow access").click()

    page.get_by_label("Acme Demo Company").check()
    page.get_by_role("button", name="Use this organisation").click()
    page.get_by_label("Payments post to").select_option(label="800 — Stripe Clearing")
    page.get_by_label("Income account for invoice lines").select_option(label="200 — Sales")
    page.get_by_role("button", name="Save and connect").click()

    expect(page.locator("#xero-status")).to_have_text("Connected")
    expect(page.locator("#xero-org")).to_have_text("Acme Demo Company")
    expect(page.locator("#xero-card")).to_contain_text("Stripe Clearing")
    connection = AccountingConnection.objects.get(firm=owner.firm)
    assert connection.status == "connected" and connection.payment_account_code == "800"
    assert AuditRecord.objects.filter(firm=owner.firm, action="accounting.connected").exists()


def test_sent_invoice_shows_synced_with_a_link_to_xero(live_server, page, consent_page, xero):
    from firmpay.accounting.tests.flows import sent_invoice

    owner = make_owner()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/settings/integrations/")
    page.locator("#xero-connect").click()
    page.get_by_role("link", name="Allow access").click()
    page.get_by_label("Acme Books Ltd").check()
    page.get_by_role("button", name="Use this organisation").click()
    page.get_by_label("Payments post to").select_option(label="090 — Business Bank Account")
    page.get_by_label("Income account for invoice lines").select_option(label="200 — Sales")
    page.get_by_role("button", name="Save and connect").click()
    expect(page.locator("#xero-status")).to_have_text("Connected")

    # Sent in this process: Huey runs the sync kick right after the commit.
    invoice = sent_invoice(owner.firm)
    page.goto(f"{live_server.url}/invoices/{invoice.pk}/")
    expect(page.locator("#accounting-sync-state")).to_have_text("Synced")
    (remote,) = xero.invoices.values()
    expect(page.locator("#accounting-sync-link")).to_have_attribute(
        "href", f"https://go.xero.com/AccountsReceivable/View.aspx?InvoiceID={remote['InvoiceID']}"
    )
