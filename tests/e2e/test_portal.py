"""The client portal, end to end in Chromium: a client with three open invoices signs in by
email link, downloads a PDF invoice (its text checked), pays two at once by card on the
Stripe sandbox's hosted checkout, sees both paid and one still open, and downloads the
receipt and a statement. Webhooks are held while the browser is busy and released
shuffled when it is idle, as in the pay-invoice journeys."""

from __future__ import annotations

import io
import re
import uuid

import pytest
from django.core import mail
from playwright.sync_api import expect
from pypdf import PdfReader

from firmpay.clients.services import client_create
from firmpay.invoices.services import invoice_send
from firmpay.invoices.tests.builders import invoice_build, line
from firmpay.payments.online.models import OnlinePayment
from tests.e2e.test_pay_invoice import firm_with_stripe, log_in, pay_by_card, status_of
from tests.stripe_fixtures import deliver_webhooks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def app(stripe_live_app, settings) -> str:
    settings.SITE_URL = stripe_live_app
    return stripe_live_app


def three_open_invoices(firm):
    client = client_create(
        firm=firm, name="Acme Ltd", email=f"ap-{uuid.uuid4().hex[:6]}@acme.test", currency="USD"
    )
    invoices = []
    for lines in (
        [line("Year-end accounts", "1", 120000), line("Tax return", "2", 15000, "10")],
        [line("Payroll, October", "1", 40000)],
        [line("Bookkeeping, November", "1", 25000)],
    ):
        invoice = invoice_build(firm=firm, client=client, lines=lines)
        invoice_send(invoice=invoice)
        invoice.refresh_from_db()
        invoices.append(invoice)
    return client, invoices


def pdf_text(path) -> str:
    with open(path, "rb") as pdf:
        reader = PdfReader(io.BytesIO(pdf.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


def download(page, locator) -> str:
    with page.expect_download() as info:
        locator.click()
    return pdf_text(info.value.path())


def sign_in_by_email(page, app: str, firm, client) -> None:
    page.goto(f"{app}/portal/{firm.portal_key}/")
    page.get_by_label("Your email address").fill(client.email)
    page.get_by_role("button", name="Email me a sign-in link").click()
    expect(page.locator("#signin-sent")).to_be_visible()
    message = next(m for m in mail.outbox if m.to == [client.email] and "Sign in" in m.subject)
    link = re.search(r"https?://\S+/signin/\S+/", message.body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#portal-client")).to_have_text(client.name)


def test_a_client_signs_in_downloads_a_pdf_pays_two_invoices_and_gets_the_documents(
    app, page, stripe_sandbox
):
    firm = firm_with_stripe(stripe_sandbox)
    client, (first, second, third) = three_open_invoices(firm)
    sign_in_by_email(page, app, firm, client)
    rows = page.locator("#open-invoices tbody tr")
    expect(rows).to_have_count(3)

    text = download(page, rows.filter(has_text=first.number).get_by_role("link", name="PDF"))
    assert f"Invoice {first.number}" in text
    assert "Year-end accounts" in text and "Tax return" in text, text
    assert "Total $1,530.00" in text  # 1,200.00 + 2 × 150.00 + 10% tax on the 300.00

    page.get_by_label(f"Select {first.number}").check()
    page.get_by_label(f"Select {third.number}").check()
    page.locator("#pay-selected").click()
    page.wait_for_url(re.compile(r".*/c/pay/cs_[^/?]+.*"))
    expect(page.locator("#amount")).to_have_text("$1,780.00")
    pay_by_card(page)
    page.wait_for_url(re.compile(r".*/portal/[0-9a-f]{32}/pay/\d+/$"))
    expect(page.locator("#payment-state")).to_have_attribute("data-state", "unconfirmed")
    page.goto("about:blank")  # nothing polls while the held webhooks are delivered
    deliver_webhooks(stripe_sandbox)
    assert [status_of(i) for i in (first, second, third)] == ["paid", "open", "paid"]

    page.goto(f"{app}/portal/{firm.portal_key}/")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(second.number)
    page.get_by_role("link", name="Paid invoices").click()
    paid = page.locator("#paid-invoices tbody tr")
    expect(paid).to_have_count(2)
    expect(page.locator("#paid-invoices")).to_contain_text(first.number)
    expect(page.locator("#paid-invoices")).to_contain_text(third.number)

    page.get_by_role("link", name="Payments").click()
    payment = OnlinePayment.objects.get(firm=firm, status="succeeded")
    receipt = download(page, page.get_by_role("link", name="Receipt (PDF)"))
    assert f"Receipt R-{payment.pk}" in receipt
    assert first.number in receipt and third.number in receipt and "$1,780.00" in receipt

    page.get_by_role("link", name="Statement").click()
    statement = download(page, page.locator("#statement-pdf"))
    assert "Closing balance $400.00" in statement
    for invoice in (first, second, third):
        assert f"Invoice {invoice.number}" in statement


def test_every_portal_page_and_the_branding_settings_open_in_a_browser(app, page, stripe_sandbox):
    """The pages the journey above does not open: each is checked by axe-core on load."""
    firm = firm_with_stripe(stripe_sandbox)
    client, (first, _, _) = three_open_invoices(firm)
    sign_in_by_email(page, app, firm, client)

    page.get_by_role("link", name=first.number).first.click()
    expect(page.get_by_role("heading", name=f"Invoice {first.number}")).to_be_visible()
    page.goto(f"{app}/portal/{firm.portal_key}/payment-methods/")
    expect(page.get_by_role("heading", name="Payment methods", exact=True)).to_be_visible()
    page.goto(f"{app}/portal/{firm.portal_key}/statement/")
    expect(page.get_by_role("heading", name="Statement", exact=True)).to_be_visible()

    page.goto(f"{app}/portal/{firm.portal_key}/details/")
    new_email = f"finance-{uuid.uuid4().hex[:6]}@acme.test"
    page.get_by_label("New email address").fill(new_email)
    page.get_by_role("button", name="Change email").click()
    message = next(m for m in mail.outbox if m.to == [new_email])
    page.goto(re.search(r"https?://\S+/details/email/\S+/", message.body).group(0))
    page.locator("#confirm-email").click()
    expect(page.locator("#client-email")).to_have_text(new_email)

    log_in(page, app, firm.owner)
    page.goto(f"{app}/settings/branding/")
    expect(page.get_by_role("heading", name="Branding", exact=True)).to_be_visible()
