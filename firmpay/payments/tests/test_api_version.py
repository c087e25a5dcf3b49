"""The API version is pinned: the Connect endpoint is created (and repaired) in the version
the SDK pins, and an event rendered in another version is stored and flagged for the
operator, never read."""

from __future__ import annotations

from io import StringIO

import pytest
import stripe
from django.core.management import call_command

from firmpay.integrations.tests.conftest import client_for, make_user
from firmpay.payments.models import PaymentAccount, StripeEvent
from firmpay.payments.services import payment_account_create
from firmpay.payments.stripe import endpoints, webhooks
from firmpay.payments.tests.conftest import event_payload, post_event

pytestmark = [pytest.mark.usefixtures("stripe_settings"), pytest.mark.django_db]

OLD_VERSION = "2024-06-20"


def test_stripe_setup_creates_the_endpoint_in_the_sdks_pinned_version(settings):
    call_command("stripe_setup", stdout=StringIO())
    url = settings.SITE_URL + "/webhooks/stripe/"
    assert endpoints.endpoint_api_version(url) == stripe.api_version == "2026-10-28.endive"


def test_stripe_setup_replaces_an_endpoint_in_another_version_and_stores_the_new_secret(
    settings, stripe_client, client
):
    url = settings.SITE_URL + "/webhooks/stripe/"
    old = stripe_client.v1.webhook_endpoints.create(
        params={"url": url, "connect": True, "enabled_events": ["*"], "api_version": OLD_VERSION}
    )
    out = StringIO()
    call_command("stripe_setup", stdout=out)
    assert f"Replaced webhook endpoint {old.id}" in out.getvalue()
    listed = stripe_client.v1.webhook_endpoints.list().data
    assert [(e.url, e.api_version) for e in listed] == [(url, stripe.api_version)]
    secret = webhooks.stored_secret()
    assert secret and secret != old.secret
    assert post_event(client, event_payload(event_id="evt_new"), secret=secret).status_code == 200


def deliver(client, captured, payload: str):
    with captured(execute=True):
        assert post_event(client, payload).status_code == 200


def test_an_event_of_another_version_is_stored_and_flagged_not_read(
    firm, client, django_capture_on_commit_callbacks
):
    account = payment_account_create(firm=firm, actor=firm.owner)
    acct = account.stripe_account_id
    deauthorized = event_payload(
        type="account.application.deauthorized",
        account=acct,
        object={"id": "ca_x", "object": "application"},
        event_id="evt_old_version",
        api_version=OLD_VERSION,
    )
    deliver(client, django_capture_on_commit_callbacks, deauthorized)
    row = StripeEvent.objects.get(event_id="evt_old_version")
    assert row.status == "flagged" and row.payload == deauthorized
    account.refresh_from_db()
    assert account.deauthorized_at is None  # not read
    assert PaymentAccount.objects.get(pk=account.pk).disconnected_at is None
    call_command("stripe_events_replay", "--id", "evt_old_version", stdout=StringIO())
    assert StripeEvent.objects.get(event_id="evt_old_version").status == "flagged"  # still


def test_the_operator_sees_flagged_events_in_a_command_and_the_back_office(
    client, django_capture_on_commit_callbacks
):
    payload = event_payload(event_id="evt_flag_me", api_version=OLD_VERSION)
    deliver(client, django_capture_on_commit_callbacks, payload)
    deliver(client, django_capture_on_commit_callbacks, event_payload(event_id="evt_fine"))
    out = StringIO()
    call_command("stripe_events_flagged", stdout=out)
    assert "evt_flag_me account.updated account=acct_unknown" in out.getvalue()
    assert f"api_version={OLD_VERSION}" in out.getvalue()
    assert "evt_fine" not in out.getvalue()
    assert "1 flagged event(s); Firmpay reads API version 2026-10-28.endive" in out.getvalue()
    page = client_for(make_user("support", is_staff=True)).get("/support/").content.decode()
    assert 'id="support-flagged-events"' in page and "evt_flag_me" in page
    assert OLD_VERSION in page and "evt_fine" not in page


def forward(client, captured, webhook_receiver, start: int) -> list[str]:
    """Post what the sandbox delivered to the receiver to Firmpay's webhook, as signed."""
    ids = []
    for delivery in webhook_receiver.received[start:]:
        headers = {key.lower(): value for key, value in delivery["headers"].items()}
        with captured(execute=True):
            response = client.post(
                "/webhooks/stripe/",
                data=delivery["body"],
                content_type="application/json",
                HTTP_STRIPE_SIGNATURE=headers["stripe-signature"],
            )
        assert response.status_code == 200, response.content
        ids.append(response.json()["received"])
    return ids


def test_an_endpoint_left_on_the_default_version_is_flagged_until_stripe_setup_repairs_it(
    settings, firm, client, stripe_sandbox, webhook_receiver, django_capture_on_commit_callbacks
):
    sdk = stripe_sandbox.client()
    # Registered by hand without a version: Stripe renders its events in the account's default.
    old = sdk.v1.webhook_endpoints.create(
        params={"url": webhook_receiver.url, "connect": True, "enabled_events": ["*"]}
    )
    settings.STRIPE_WEBHOOK_SECRET = [old.secret]
    account = payment_account_create(firm=firm, actor=firm.owner)
    acct = account.stripe_account_id
    sdk.v1.accounts.update(acct, params={"business_profile": {"name": "Renamed Ltd"}})
    stripe_sandbox.drain()
    before = forward(client, django_capture_on_commit_callbacks, webhook_receiver, 0)
    assert before
    rows = StripeEvent.objects.filter(event_id__in=before)
    assert {row.status for row in rows} == {"flagged"}

    call_command("stripe_setup", url=webhook_receiver.url, stdout=StringIO())
    seen = len(webhook_receiver.received)
    sdk.v1.accounts.update(acct, params={"business_profile": {"name": "Renamed Again Ltd"}})
    stripe_sandbox.drain()
    after = forward(client, django_capture_on_commit_callbacks, webhook_receiver, seen)
    assert after and {e.status for e in StripeEvent.objects.filter(event_id__in=after)} == {
        "processed"
    }
    account.refresh_from_db()
    assert account.snapshot["business_name"] == "Renamed Again Ltd"
