"""Builders for the portal tests: a firm's client with sent invoices, and a browser (Django
test client) signed in to that firm's portal the way a client does it, by email link."""

from __future__ import annotations

import re
import uuid

from django.core import mail
from django.test import Client as Browser
from django.urls import reverse

from firmpay.clients.services import client_create
from firmpay.invoices.services import invoice_send
from firmpay.invoices.tests.builders import invoice_build, line

LINK = re.compile(r"https?://\S+/portal/([0-9a-f]{32})/signin/(\S+)/")


def portal_customer(firm, *, name="Acme Ltd", email=None, currency="USD"):
    email = email or f"ap-{uuid.uuid4().hex[:6]}@acme.test"
    return client_create(firm=firm, name=name, email=email, currency=currency)


def sent_invoice(firm, client, *, amount=10000, lines=None, **fields):
    invoice = invoice_build(
        firm=firm, client=client, lines=lines or [line(unit_amount=amount)], **fields
    )
    invoice_send(invoice=invoice)
    invoice.refresh_from_db()
    return invoice


def signin_links(email: str) -> list[tuple[str, str]]:
    """(firm id, token) of every sign-in link emailed to `email`, oldest first."""
    found = []
    for message in mail.outbox:
        if email in message.to:
            found += LINK.findall(message.body)
    return found


def request_link(browser: Browser, firm, email: str, ip: str = "10.0.0.1"):
    return browser.post(
        reverse("portal:signin", kwargs={"firm_key": firm.portal_key}),
        {"email": email},
        REMOTE_ADDR=ip,
    )


def follow_link(browser: Browser, firm_key: str, token: str):
    return browser.post(
        reverse("portal:signin_link", kwargs={"firm_key": firm_key, "token": token})
    )


def signed_in(client) -> Browser:
    """A browser signed in to `client`'s firm's portal as `client`, through the email link."""
    browser = Browser()
    request_link(
        browser, client.firm, client.email, ip=f"10.1.{client.pk % 250}.{client.firm_id % 250}"
    )
    firm_key, token = signin_links(client.email)[-1]
    follow_link(browser, firm_key, token)
    return browser


def portal_url(name: str, firm, **kwargs) -> str:
    return reverse(f"portal:{name}", kwargs={"firm_key": firm.portal_key, **kwargs})
