"""The client's autopay link expires (signed and timestamped like the other client links;
an expired one says so and can email a new link to the address the firm holds), and the
day an invoice will be collected is the firm's local date, not the UTC one."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache

from firmpay.clients.tests.builders import client_build, firm_build
from firmpay.invoices.tests.builders import invoice_build
from firmpay.payments.autopay.authorise import (
    autopay_link_read,
    client_autopay_token,
    client_autopay_url,
)
from firmpay.payments.autopay.models import InvoiceAutopay
from firmpay.payments.autopay.selectors import invoice_collection_date

UTC = datetime.UTC
NOW = datetime.datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def scheduled(zone: str, next_attempt_at: datetime.datetime):
    firm = firm_build(name="Ledger & Sons", timezone=zone)
    invoice = invoice_build(firm=firm, client=client_build(firm=firm, name="Acme"))
    InvoiceAutopay.objects.create(firm=firm, invoice=invoice, next_attempt_at=next_attempt_at)
    return invoice


# --- collection date: the firm's calendar --------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "attempt_utc", "clock_utc", "expected"),
    [
        # 03:00 UTC on the 5th is still the evening of the 4th in Los Angeles.
        ("America/Los_Angeles", (2026, 12, 5, 3), (2026, 12, 3, 20), datetime.date(2026, 12, 4)),
        # 12:00 UTC on the 4th is already 01:00 on the 5th in Auckland.
        ("Pacific/Auckland", (2026, 12, 4, 12), (2026, 12, 3, 20), datetime.date(2026, 12, 5)),
        # A charge due an hour ago is "today" where the firm is: the 4th in Auckland at
        # 23:30 UTC on the 3rd (the UTC date would say the 3rd, a day in the past).
        ("Pacific/Auckland", (2026, 12, 3, 22), (2026, 12, 3, 23, 30), datetime.date(2026, 12, 4)),
        ("Europe/London", (2026, 12, 10, 9), (2026, 12, 3, 20), datetime.date(2026, 12, 10)),
    ],
)
def test_collection_date_is_the_firms_local_date(db, zone, attempt_utc, clock_utc, expected):
    invoice = scheduled(zone, datetime.datetime(*attempt_utc, tzinfo=UTC))
    with time_machine.travel(datetime.datetime(*clock_utc, tzinfo=UTC), tick=False):
        assert invoice_collection_date(invoice=invoice) == expected


def test_collection_date_moves_with_the_firms_day_across_midnight(db):
    """The same charge moment, read just before and just after midnight in Los Angeles."""
    zone = zoneinfo.ZoneInfo("America/Los_Angeles")
    attempt = datetime.datetime(2026, 12, 3, 6, 0, tzinfo=UTC)  # 22:00 on the 2nd in LA
    invoice = scheduled("America/Los_Angeles", attempt)
    before = datetime.datetime(2026, 12, 2, 23, 59, tzinfo=zone)
    after = datetime.datetime(2026, 12, 3, 0, 1, tzinfo=zone)
    with time_machine.travel(before, tick=False):
        assert invoice_collection_date(invoice=invoice) == datetime.date(2026, 12, 2)
    with time_machine.travel(after, tick=False):
        assert invoice_collection_date(invoice=invoice) == datetime.date(2026, 12, 3)


# --- the client's autopay link expires -------------------------------------------------------


@pytest.fixture
def customer(db):
    cache.clear()
    firm = firm_build(name="Ledger & Sons", email="office@ledger.test")
    return client_build(firm=firm, name="Acme Hardware", email="ap@acme.test")


def test_a_fresh_link_opens_the_clients_autopay_page(client, customer):
    with time_machine.travel(NOW, tick=False):
        token = client_autopay_token(client=customer)
    with time_machine.travel(NOW + datetime.timedelta(days=29), tick=False):
        page = client.get(f"/autopay/{token}/")
    assert page.status_code == 200
    assert "Automatic payments to Ledger &amp; Sons" in page.content.decode()


def test_an_expired_link_says_so_and_how_to_get_a_new_one(client, customer):
    with time_machine.travel(NOW, tick=False):
        token = client_autopay_token(client=customer)
    later = NOW + datetime.timedelta(days=31)
    with time_machine.travel(later, tick=False):
        assert autopay_link_read(token).expired
        page = client.get(f"/autopay/{token}/")
        text = page.content.decode()
        assert page.status_code == 410
        assert "This link has expired" in text
        assert "Email me a new link" in text and "office@ledger.test" in text
        assert "Stop automatic payments" not in text
        # Nor can an old link start a setup or switch payments off.
        assert client.post(f"/autopay/{token}/start/").status_code == 410
        assert client.post(f"/autopay/{token}/revoke/").status_code == 410


def test_the_expired_page_emails_a_new_link_to_the_address_on_file_once(
    client, customer, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOW, tick=False):
        token = client_autopay_token(client=customer)
    later = NOW + datetime.timedelta(days=40)
    with time_machine.travel(later, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            sent = client.post(f"/autopay/{token}/renew/")
            again = client.post(f"/autopay/{token}/renew/")
        assert "We have emailed a new link" in sent.content.decode()
        assert "one was sent a few minutes ago" in again.content.decode()
        [message] = mail.outbox
        assert message.to == ["ap@acme.test"]
        assert message.subject == "Your new link for automatic payments to Ledger & Sons"
        assert "works for 30 days" in message.body
        new_link = client_autopay_url(client=customer)
        assert new_link in message.body
        path = new_link.split("://", 1)[-1].split("/", 1)[1]
        assert client.get(f"/{path}").status_code == 200


def test_a_forged_or_tampered_link_is_not_found_and_cannot_ask_for_mail(client, customer):
    token = client_autopay_token(client=customer)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(f"/autopay/{tampered}/").status_code == 404
    assert client.post(f"/autopay/{tampered}/renew/").status_code == 404
    assert mail.outbox == []


def test_the_link_lifetime_is_a_setting(client, customer, settings):
    settings.FIRMPAY_AUTOPAY_LINK_DAYS = 7
    with time_machine.travel(NOW, tick=False):
        token = client_autopay_token(client=customer)
    with time_machine.travel(NOW + datetime.timedelta(days=8), tick=False):
        assert client.get(f"/autopay/{token}/").status_code == 410
