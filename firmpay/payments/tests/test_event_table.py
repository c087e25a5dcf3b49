"""The one event table: what the Connect endpoint subscribes to is exactly what Firmpay
handles, every fact has one applier, and the types Stripe only sends to a subscribed
endpoint (charge.pending, charge.succeeded, charge.updated, charge.dispute.funds_withdrawn,
charge.dispute.funds_reinstated) arrive through the sandbox after `stripe_setup` and are
processed."""

from __future__ import annotations

import typing

import pytest
from django.core.management import call_command

from firmpay.payments.facts import FACT_APPLIERS, PaymentFact
from firmpay.payments.models import StripeEvent
from firmpay.payments.online.checkout import checkout_start
from firmpay.payments.services import payment_account_create, payment_account_refresh
from firmpay.payments.services.facts import payment_fact_apply  # noqa: F401 - fills the table
from firmpay.payments.stripe import endpoints
from firmpay.payments.stripe.events import EVENT_MAPPERS, SUBSCRIBED_EVENT_TYPES
from firmpay.payments.tests.online import sent_invoice

pytestmark = pytest.mark.django_db

PAGE = "http://testserver/i/x/"
ONCE_UNSUBSCRIBED = {
    "charge.pending",
    "charge.succeeded",
    "charge.updated",
    "charge.dispute.funds_withdrawn",
    "charge.dispute.funds_reinstated",
}


def test_every_fact_has_exactly_one_applier():
    assert set(typing.get_args(PaymentFact)) == set(FACT_APPLIERS)


def test_the_endpoint_stripe_setup_registers_subscribes_to_exactly_the_handled_types(
    stripe_settings, webhook_receiver
):
    call_command("stripe_setup", url=webhook_receiver.url)
    assert endpoints.endpoint_subscriptions(webhook_receiver.url) == set(EVENT_MAPPERS)
    assert ONCE_UNSUBSCRIBED <= set(SUBSCRIBED_EVENT_TYPES)
    assert {"payout.paid", "payout.failed"} <= set(SUBSCRIBED_EVENT_TYPES)  # firmpay/payouts


def test_stripe_setup_repairs_an_endpoint_whose_subscriptions_drifted(
    stripe_settings, stripe_sandbox, webhook_receiver
):
    stripe_sandbox.client().v1.webhook_endpoints.create(
        params={
            "url": webhook_receiver.url,
            "connect": True,
            "enabled_events": ["account.updated", "payout.paid"],
        }
    )
    call_command("stripe_setup", url=webhook_receiver.url)
    assert endpoints.endpoint_subscriptions(webhook_receiver.url) == set(EVENT_MAPPERS)


def forward(client, stripe_sandbox, webhook_receiver, capture, start: int) -> int:
    """Post what the sandbox delivered to the receiver to Firmpay's webhook, as signed;
    processing runs after commit as in production. Returns the next start."""
    stripe_sandbox.drain()
    deliveries = webhook_receiver.received[start:]
    for delivery in deliveries:
        headers = {key.lower(): value for key, value in delivery["headers"].items()}
        with capture(execute=True):
            response = client.post(
                "/webhooks/stripe/",
                data=delivery["body"],
                content_type="application/json",
                HTTP_STRIPE_SIGNATURE=headers["stripe-signature"],
            )
        assert response.status_code == 200, response.content
    return start + len(deliveries)


def test_the_once_unsubscribed_types_arrive_after_stripe_setup_and_are_processed(
    stripe_settings,
    stripe_sandbox,
    webhook_receiver,
    client,
    django_capture_on_commit_callbacks,
    make_firm,
):
    call_command("stripe_setup", url=webhook_receiver.url)
    firm = make_firm()
    account = payment_account_create(firm=firm, actor=firm.owner)
    acct = account.stripe_account_id
    stripe_sandbox.control("POST", f"accounts/{acct}/state", {"state": "verified"})
    payment_account_refresh(account=account)
    invoice = sent_invoice(firm)
    payment = checkout_start(invoice=invoice, return_url=PAGE)
    seen = forward(client, stripe_sandbox, webhook_receiver, django_capture_on_commit_callbacks, 0)

    def step() -> None:
        nonlocal seen
        seen = forward(
            client, stripe_sandbox, webhook_receiver, django_capture_on_commit_callbacks, seen
        )

    paid = stripe_sandbox.control(
        "POST",
        f"checkout/sessions/{payment.checkout_session_id}/pay",
        {"method": "us_bank_account", "outcome": "succeed"},
    )
    step()
    payment.refresh_from_db()
    assert payment.status == "processing"
    intent = paid["payment_intent"]["id"]
    stripe_sandbox.control("POST", f"payment_intents/{intent}/settle", {})
    step()
    charge = paid["charge"]["id"]
    sdk = stripe_sandbox.client()
    sdk.v1.charges.update(
        charge, params={"metadata": {"note": "paid late"}}, options={"stripe_account": acct}
    )
    dispute = stripe_sandbox.control("POST", f"charges/{charge}/dispute", {})
    step()
    payment.refresh_from_db()
    assert payment.status == "disputed"
    stripe_sandbox.control("POST", f"disputes/{dispute['id']}/close", {"status": "won"})
    step()

    outcomes = {
        (row.type, row.status) for row in StripeEvent.objects.filter(type__in=ONCE_UNSUBSCRIBED)
    }
    assert outcomes == {(event_type, "processed") for event_type in ONCE_UNSUBSCRIBED}
    payment.refresh_from_db()
    invoice.refresh_from_db()
    assert (payment.status, payment.method, invoice.status) == ("won", "us_bank_account", "paid")


@pytest.mark.parametrize("echoed", ["12abc", "²", "9" * 40, "-3", ""])
def test_metadata_that_is_not_one_of_our_ids_names_no_payment(echoed):
    from datetime import UTC, datetime

    from firmpay.payments.stripe.dataclasses import EventEnvelope
    from firmpay.payments.stripe.events import payment_facts_from_event

    envelope = EventEnvelope(
        id="evt_1",
        type="payment_intent.succeeded",
        account="acct_1",
        created=datetime(2026, 12, 1, tzinfo=UTC),
        livemode=False,
        object={"id": "pi_1", "metadata": {"firmpay_payment_id": echoed}},
    )
    [fact] = payment_facts_from_event(envelope)
    assert (fact.ref.payment_id, fact.ref.intent) == (None, "pi_1")
