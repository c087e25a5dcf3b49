"""The hosted checkout page in Chromium: a declined card then a good one, ACH, Bacs, cancel."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from stripe_sandbox.tests.test_payments_helpers import firm_account, gbp_params, session_params

pytestmark = pytest.mark.browser


@pytest.fixture
def shop() -> Iterator[str]:
    """The firm's site: success and cancel pages that say where the browser landed."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            body = f"<h1>firm {self.path.split('?')[0]}</h1><p id=path>{self.path}</p>".encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def urls(shop: str) -> dict:
    return {
        "success_url": f"{shop}/paid?session={{CHECKOUT_SESSION_ID}}",
        "cancel_url": f"{shop}/cancel",
    }


def test_declined_card_then_a_good_one(page, stripe_sandbox, stripe_client, shop):
    acct = firm_account(stripe_sandbox, stripe_client, name="Ledger & Co")
    session = stripe_client.v1.checkout.sessions.create(
        params=session_params(**urls(shop)), options={"stripe_account": acct}
    )
    page.goto(session.url)
    expect(page.get_by_role("heading", name="Ledger & Co")).to_be_visible()
    expect(page.locator("#amount")).to_have_text("$250.00")
    expect(page.get_by_text("Stripe sandbox").first).to_be_visible()
    page.get_by_label("Card number").fill("4000 0000 0000 0002")
    page.get_by_label("Expiry (MM / YY)").fill("12 / 34")
    page.get_by_label("CVC").fill("123")
    page.get_by_role("button", name="Pay $250.00").click()
    expect(page.get_by_role("alert")).to_have_text("Your card was declined.")
    assert page.get_by_label("Email").input_value() == "ap@client.example"
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("CVC").fill("123")
    page.get_by_role("button", name="Pay $250.00").click()
    page.wait_for_url(f"{shop}/paid?session={session.id}")
    done = stripe_client.v1.checkout.sessions.retrieve(session.id, options={"stripe_account": acct})
    assert (done.status, done.payment_status) == ("complete", "paid")


def test_ach_debit(page, stripe_sandbox, stripe_client, shop):
    acct = firm_account(stripe_sandbox, stripe_client)
    session = stripe_client.v1.checkout.sessions.create(
        params=session_params(**urls(shop)), options={"stripe_account": acct}
    )
    page.goto(session.url)
    page.get_by_role("link", name="US bank account").click()
    page.get_by_label("Account holder name").fill("Acme AP")
    page.get_by_label("Routing number").fill("110000000")
    page.get_by_label("Account number").fill("000123456789")
    page.get_by_role("button", name="Pay $250.00").click()
    page.wait_for_url(f"{shop}/paid?session={session.id}")
    options = {"stripe_account": acct}
    done = stripe_client.v1.checkout.sessions.retrieve(session.id, options=options)
    assert (done.status, done.payment_status) == ("complete", "unpaid")
    stripe_sandbox.advance(days=4)
    pi = stripe_client.v1.payment_intents.retrieve(done.payment_intent, options=options)
    assert pi.status == "succeeded"


def test_bacs_debit_with_mandate(page, stripe_sandbox, stripe_client, shop):
    uk = firm_account(stripe_sandbox, stripe_client, country="GB", name="Ledger UK")
    session = stripe_client.v1.checkout.sessions.create(
        params=gbp_params(**urls(shop)), options={"stripe_account": uk}
    )
    page.goto(session.url)
    page.get_by_role("link", name="Bacs Direct Debit").click()
    page.get_by_label("Account holder name").fill("Acme AP")
    page.get_by_label("Sort code").fill("10-88-00")
    page.get_by_label("Account number").fill("00012346")
    page.get_by_label("I authorise Ledger UK").check()
    page.get_by_role("button", name="Pay £250.00").click()
    page.wait_for_url(f"{shop}/paid?session={session.id}")
    stripe_sandbox.advance(days=3)
    options = {"stripe_account": uk}
    done = stripe_client.v1.checkout.sessions.retrieve(
        session.id, params={"expand": ["payment_intent"]}, options=options
    )
    assert done.payment_intent.last_payment_error.code == "insufficient_funds"


def test_cancel_returns_to_the_firm(page, stripe_sandbox, stripe_client, shop):
    acct = firm_account(stripe_sandbox, stripe_client, name="Ledger & Co")
    session = stripe_client.v1.checkout.sessions.create(
        params=session_params(**urls(shop)), options={"stripe_account": acct}
    )
    page.goto(session.url)
    page.get_by_role("link", name="Cancel and return to Ledger & Co").click()
    page.wait_for_url(f"{shop}/cancel")
