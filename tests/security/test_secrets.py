"""The configured secrets never reach a log line or a page: Stripe flows (connect, onboarding,
webhooks good and bad, checkout), log-in failures and the settings pages are exercised with
every logger captured at DEBUG, then logs and pages are searched for the secrets."""

import hashlib
import hmac
import json
import logging
import time

import pytest
from django.test import Client

from firmpay.clients.services import client_create
from firmpay.invoices.links import invoice_link_path
from firmpay.invoices.services import invoice_send
from firmpay.invoices.tests.builders import invoice_build
from firmpay.payments.services import payment_account_create, payment_account_refresh
from firmpay.tenancy.tests.factories import client_for, make_firm, make_owner
from tests.security.conftest import WEBHOOK_SECRET

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("stripe_settings")]

SECRET_KEY = "django-secret-for-the-secrets-test-0123456789abcdefghijklmnopqrstuvwxyz"
SMTP_PASSWORD = "smtp-password-for-the-secrets-test"


def signed(body: bytes, secret: str) -> str:
    timestamp = int(time.time())
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def test_no_secret_in_logs_or_pages(settings, stripe_sandbox, caplog):
    settings.SECRET_KEY = SECRET_KEY
    settings.MAILERS = {
        **settings.MAILERS,
        "smtp": {
            "BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "OPTIONS": {"password": SMTP_PASSWORD},
        },
    }
    secrets = [SECRET_KEY, settings.STRIPE_SECRET_KEY, WEBHOOK_SECRET, SMTP_PASSWORD]
    caplog.set_level(logging.DEBUG)
    for name in ("stripe", "django", "huey", "firmpay", "django.request", "django.db.backends"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    pages: list[str] = []

    firm = make_firm(plan="pro")
    owner = make_owner(firm)
    web = client_for(owner, firm)
    account = payment_account_create(firm=firm, actor=owner)
    stripe_sandbox.control(
        "POST", f"accounts/{account.stripe_account_id}/state", {"state": "verified"}
    )
    payment_account_refresh(account=account)
    for path in ("/settings/integrations/", "/settings/integrations/stripe/manage/",
                 "/payments/", "/settings/firm/", "/invoices/"):  # fmt: skip
        pages.append(web.get(path).content.decode())
    pages.append(web.post("/settings/integrations/stripe/onboarding/").content.decode())

    customer = client_create(firm=firm, name="Dana", email="dana@example.test", currency="USD")
    invoice = invoice_build(firm=firm, client=customer)
    invoice_send(invoice=invoice)
    browser = Client()
    pages.append(browser.get(invoice_link_path(invoice)).content.decode())
    pay = browser.post(invoice_link_path(invoice) + "pay/")
    pages.append(pay.content.decode() + pay.get("Location", ""))
    assert pay.status_code == 303, "the Pay button should have opened a Checkout Session"

    body = json.dumps({"id": "evt_secret_1", "object": "event", "type": "account.updated",
                       "account": account.stripe_account_id, "created": int(time.time()),
                       "data": {"object": {"id": account.stripe_account_id}}}).encode()  # fmt: skip
    for signature in (signed(body, WEBHOOK_SECRET), signed(body, "whsec_wrong"), "t=1,v1=00"):
        response = browser.post("/webhooks/stripe/", body, content_type="application/json",
                                 HTTP_STRIPE_SIGNATURE=signature)  # fmt: skip
        pages.append(response.content.decode())
    for _ in range(3):
        pages.append(
            browser.post("/login/", {"username": owner.email, "password": "wrong"}).content.decode()
        )
    logging.getLogger("firmpay.test").warning(
        "settings dump: %s", {"key": settings.STRIPE_SECRET_KEY}
    )

    logs = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    assert len(caplog.records) > 10, "the flows should have logged something"
    assert any(r.name.startswith("stripe") for r in caplog.records), "the SDK's requests are logged"
    for secret in secrets:
        assert secret not in logs, f"a secret ({secret[:6]}...) reached the logs"
        for page in pages:
            assert secret not in page, f"a secret ({secret[:6]}...) reached a page"
