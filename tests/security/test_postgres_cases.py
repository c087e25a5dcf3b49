"""The cases issue 19 suspected on PostgreSQL (finding 7), tried in both passes: a NUL
anywhere in a request, the help panel's captured HX-Current-URL, a signed event id past 255
characters, and two unsubscribe clicks at once (PostgreSQL only: row locks across threads)."""

import json
import threading
import time
import uuid

import pytest
from django.core import mail
from django.db import connection

from firmpay.clients.services import client_create
from firmpay.core.models import AuditRecord
from firmpay.helpdesk.models import Message
from firmpay.payments.models import StripeEvent
from firmpay.payments.stripe import webhooks
from firmpay.reminders.services import client_reminders_unsubscribe
from firmpay.tenancy.tests.factories import client_for, make_firm, make_owner
from tests.security.conftest import WEBHOOK_SECRET

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_client():
    firm = make_firm()
    return client_for(make_owner(firm), firm)


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/support/help/", {"firm": "Acme\x00"}),
        ("get", "/help/", {"conversation": "1\x00"}),
        ("post", "/help/send/", {"body": "Hello\x00"}),
        ("get", "/invoices/", {"q": "\x00"}),
        ("post", "/clients/new/", {"name": "A\x00", "email": "a@b.test", "currency": "USD"}),
        ("get", "/i/abc\x00/", {}),
    ],
)
def test_a_nul_anywhere_in_a_request_is_a_400_that_writes_nothing(owner_client, method, path, data):
    messages_before = Message.objects.count()

    response = getattr(owner_client, method)(path, data)

    assert response.status_code == 400
    assert Message.objects.count() == messages_before


def test_the_help_panel_captures_a_page_url_with_nul_bytes_without_them(owner_client):
    response = owner_client.post(
        "/help/send/",
        {"body": "Where is my payout?"},
        HTTP_HX_CURRENT_URL="http://testserver/invoices/\x00\x00/?x=\x00",
    )

    assert response.status_code < 400
    message = Message.objects.get()
    assert "\x00" not in json.dumps(message.context)
    assert message.context["page_path"] == "/invoices//"


@pytest.mark.parametrize("header", ["http://[", "\x00" * 400, "//" + "a" * 5000])
def test_a_page_url_no_browser_sends_is_captured_safely(owner_client, header):
    response = owner_client.post("/help/send/", {"body": "Hi"}, HTTP_HX_CURRENT_URL=header)

    assert response.status_code < 400
    assert len(Message.objects.get().context["page_path"]) <= 300


@pytest.mark.parametrize("event_id", ["evt_" + "a" * 252, "evt_" + "a" * 5000])
def test_a_signed_event_with_an_id_past_255_characters_is_refused_and_not_stored(
    client, stripe_settings, event_id
):
    payload = json.dumps(
        {
            "id": event_id,
            "object": "event",
            "account": "acct_" + uuid.uuid4().hex[:16],
            "created": int(time.time()),
            "type": "account.updated",
            "data": {"object": {"id": "acct_x", "object": "account"}},
        }
    )

    response = client.post(
        "/webhooks/stripe/",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=webhooks.sign(payload, WEBHOOK_SECRET, None),
    )

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


def test_a_signed_event_with_an_id_of_255_characters_is_stored(client, stripe_settings):
    payload = json.dumps(
        {
            "id": "evt_" + "b" * 251,
            "object": "event",
            "account": "acct_" + uuid.uuid4().hex[:16],
            "created": int(time.time()),
            "type": "account.updated",
            "data": {"object": {"id": "acct_x", "object": "account"}},
        }
    )
    response = client.post(
        "/webhooks/stripe/",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=webhooks.sign(payload, WEBHOOK_SECRET, None),
    )
    assert response.status_code == 200


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_two_unsubscribe_clicks_at_once_email_the_firm_once(attempt):
    if connection.vendor != "postgresql":
        pytest.skip("row locks across threads: runs in the PostgreSQL pass")
    firm = make_firm()
    make_owner(firm)
    client = client_create(firm=firm, name="Acme", email=f"ap{attempt}@acme.test", currency="USD")
    start = threading.Barrier(2)
    outcomes = []

    def click():
        from django.db import connection as own

        try:
            start.wait()
            outcomes.append(
                client_reminders_unsubscribe(client=type(client).objects.get(pk=client.pk))
            )
        finally:
            own.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == [False, True]
    assert AuditRecord.objects.filter(action="reminders.client_unsubscribe").count() == 1
    assert len([m for m in mail.outbox if "unsubscribed" in m.subject]) <= 1
