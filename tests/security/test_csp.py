"""The production Content-Security-Policy (no inline script or style, only our own static
files) does not break the pages: no violation in Chromium, htmx loads, and the behaviours
that were inline handlers (confirm before voiding, copy link) still work. Templates must not
bring inline handlers back."""

import re
from pathlib import Path

import pytest

from config.production import CSP_POLICY
from firmpay.clients.services import client_create
from firmpay.invoices.models import Invoice
from firmpay.invoices.services import invoice_send
from firmpay.invoices.tests.builders import invoice_build
from firmpay.tenancy.tests.factories import make_firm, make_owner

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a-long-password-2026"
INLINE = re.compile(
    r"""\son[a-z]+\s*=|<script(?![^>]*\bsrc=)[^>]*>|\sstyle\s*=|javascript:""", re.I
)


def test_no_template_has_inline_script_handlers_or_styles():
    offenders = []
    for template in ROOT.glob("**/templates/**/*.html"):
        if (
            ".venv" in template.parts
            or "tests" in template.parts
            or "staticfiles" in template.parts
            # Email bodies are not served pages (no CSP there) and mail clients need
            # inline styles.
            or "email" in template.parts
        ):
            continue
        for number, text in enumerate(template.read_text().splitlines(), 1):
            if INLINE.search(text):
                offenders.append(f"{template.relative_to(ROOT)}:{number}: {text.strip()[:100]}")
    assert not offenders, (
        "inline script/style breaks under the CSP; use static/js/firmpay.js data- attributes or a CSS class:\n"
        + "\n".join(offenders)
    )


def test_pages_send_the_policy_in_production(client, settings, db):
    settings.SECURE_CSP = CSP_POLICY
    header = client.get("/login/")["Content-Security-Policy"]
    assert "script-src 'self'" in header and "unsafe-inline" not in header
    assert "default-src 'self'" in header and "frame-ancestors 'none'" in header


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pages_work_under_the_production_csp(live_server, settings, new_context):
    settings.SECURE_CSP = CSP_POLICY
    firm = make_firm(name="Strict Books", plan="pro")
    owner = make_owner(firm)
    owner.set_password(PASSWORD)
    owner.save()
    customer = client_create(firm=firm, name="Dana", email="dana@example.test", currency="USD")
    invoice = invoice_build(firm=firm, client=customer)
    invoice_send(invoice=invoice)

    page = new_context().new_page()
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/invoices/$"))
    assert page.evaluate("typeof htmx") == "object"

    page.goto(f"{live_server.url}/invoices/{invoice.pk}/")
    asked: list[str] = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.get_by_role("button", name="Void").click()
    page.wait_for_timeout(300)
    assert asked and asked[0].startswith("Void ")
    assert Invoice.objects.get(pk=invoice.pk).status == "open"  # dismissed: nothing posted

    copy = page.locator("[data-copy-from=client-link]")
    copy.click()
    assert copy.inner_text() == "Copied"
    for path in (
        "/clients/",
        "/settings/firm/",
        "/settings/integrations/",
        "/payments/",
        "/reminders/",
    ):
        page.goto(f"{live_server.url}{path}")
    assert not violations, violations
