"""The hosted pages in Chromium: onboarding with save-and-exit, OAuth approve and deny."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from stripe_sandbox.tests.test_accounts import create_account

pytestmark = pytest.mark.browser


class FirmApp:
    """Just enough of the platform: refresh_url mints a fresh link, the
    return and OAuth callback pages say where the browser landed."""

    def __init__(self, client) -> None:
        self.client = client
        self.url = ""

    def link(self, account_id: str) -> str:
        return self.client.v1.account_links.create(
            params={
                "account": account_id,
                "type": "account_onboarding",
                "refresh_url": f"{self.url}/refresh?account={account_id}",
                "return_url": f"{self.url}/return?account={account_id}",
            }
        ).url


@pytest.fixture
def firm_app(stripe_client) -> Iterator[FirmApp]:
    app = FirmApp(stripe_client)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            url = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/refresh":
                self.send_response(302)
                self.send_header("Location", app.link(query["account"]))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = f"<h1>firm app {url.path}</h1><p id=query>{url.query}</p>".encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    app.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    yield app
    server.shutdown()
    server.server_close()


def fill_business(page) -> None:
    page.get_by_label("Legal business name").fill("Ledger & Co")
    page.get_by_label("Employer ID / company number").fill("123456789")
    page.get_by_label("Business phone").fill("+15555550123")
    page.get_by_label("Address").fill("1 Main St")
    page.get_by_label("City").fill("Springfield")
    page.get_by_label("Postal code").fill("12345")
    page.get_by_label("Business website").fill("https://ledger.example")
    page.get_by_role("button", name="Continue").click()


def test_onboarding_save_and_exit_then_finish_with_a_fresh_link(
    page, stripe_sandbox, stripe_client, firm_app
):
    account = create_account(stripe_client)
    first_link = firm_app.link(account.id)
    page.goto(first_link)
    assert page.get_by_text("Stripe sandbox").first.is_visible()
    fill_business(page)
    page.get_by_label("Company document").set_input_files(
        files=[
            {"name": "incorporation.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 test"}
        ]
    )
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Payout bank account").wait_for()
    page.get_by_role("button", name="Save and exit").click()
    page.wait_for_url(f"{firm_app.url}/return**")
    halfway = stripe_client.v1.accounts.retrieve(account.id)
    assert not halfway.details_submitted
    assert halfway.requirements.currently_due == [
        "external_account",
        "tos_acceptance.date",
        "tos_acceptance.ip",
    ]

    # The spent link goes to refresh_url, which mints a fresh one: setup resumes.
    page.goto(first_link)
    page.get_by_role("heading", name="Payout bank account").wait_for()
    page.get_by_label("Account holder name").fill("Ledger & Co")
    page.get_by_label("Routing number").fill("110000000")
    page.get_by_label("Account number").fill("000123456789")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("I agree").check()
    page.get_by_role("button", name="Agree and submit").click()
    page.wait_for_url(f"{firm_app.url}/return**")
    submitted = stripe_client.v1.accounts.retrieve(account.id)
    assert submitted.details_submitted and submitted.requirements.currently_due == []
    stripe_sandbox.control("POST", f"accounts/{account.id}/verify")
    assert stripe_client.v1.accounts.retrieve(account.id).charges_enabled


def _authorize(page, stripe_client, firm_app) -> None:
    page.goto(
        stripe_client.oauth.authorize_url(
            params={
                "scope": "read_write",
                "state": "xyz",
                "redirect_uri": f"{firm_app.url}/callback",
                "stripe_user": {"email": "existing@firm.example", "business_name": "Existing Firm"},
            }
        )
    )
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("heading", name="Connect Existing Firm").wait_for()


def test_oauth_approve(page, stripe_client, firm_app):
    _authorize(page, stripe_client, firm_app)
    page.get_by_role("button", name="Connect my Stripe account").click()
    page.wait_for_url(f"{firm_app.url}/callback**")
    query = {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}
    assert query["state"] == "xyz"
    token = stripe_client.oauth.token(
        params={"grant_type": "authorization_code", "code": query["code"]}
    )
    assert stripe_client.v1.accounts.retrieve(token.stripe_user_id).email == "existing@firm.example"


def test_oauth_deny(page, stripe_client, firm_app):
    _authorize(page, stripe_client, firm_app)
    page.get_by_role("button", name="Deny").click()
    page.wait_for_url(f"{firm_app.url}/callback**")
    query = {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}
    assert query["error"] == "access_denied" and query["state"] == "xyz" and "code" not in query
