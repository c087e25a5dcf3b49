"""The Connect events of automatic charges, fed through the worker after the batch recorded
the charges: what they tell (the intent and the charge succeeded, with ids we hold) is
already on our rows, so each costs the read that finds its payment, and the batch writes
nothing but the events' statuses. Whatever they tell that is new still lands."""

from __future__ import annotations

import json
import time

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from firmpay.payments.autopay import batch
from firmpay.payments.models import StripeEvent
from firmpay.payments.online.models import OnlinePayment
from firmpay.payments.online.payment_reads import payments_read_together
from firmpay.payments.services.events import stripe_event_store, stripe_events_process_batch
from firmpay.payments.services.facts import stripe_event_apply
from firmpay.payments.stripe.events import payment_facts_from_event
from firmpay.payments.stripe.mappers import event_envelope_from_payload
from firmpay.payments.tests.autopay_helpers import authorised, live_account, new_client, sent_to
from firmpay.payments.tests.online import Stripe, deliver

pytestmark = pytest.mark.usefixtures("stripe_settings")


@pytest.fixture
def account(stripe_sandbox, firm):
    return live_account(stripe_sandbox, firm)


@pytest.fixture
def card_client(stripe_sandbox, firm, account):
    client = new_client(firm)
    authorised(stripe_sandbox, client)
    return client


def account_events(stripe_sandbox, account_id: str) -> list[dict]:
    client = stripe_sandbox.client()
    listed = client.v1.events.list(params={"limit": 100}, options={"stripe_account": account_id})
    return [event.to_dict() for event in reversed(listed.data)]


def charged(stripe_sandbox, client, account_id: str, n: int) -> list[dict]:
    """Charge `n` invoices in one batch; the account's events that came of it."""
    before = {e["id"] for e in account_events(stripe_sandbox, account_id)}
    for _ in range(n):
        sent_to(client)
    claimed = batch.autopay_claim(now=timezone.now()).claimed
    assert batch.autopay_charge_claimed(claimed) == ["succeeded"] * n
    return [e for e in account_events(stripe_sandbox, account_id) if e["id"] not in before]


def refs(events: list[dict]) -> list:
    envelopes = [event_envelope_from_payload(json.dumps(event)) for event in events]
    facts = [fact for e in envelopes for fact in payment_facts_from_event(e) or ()]
    return [fact.ref for fact in facts]


def processed(events: list[dict]) -> tuple[list[str], float]:
    """Store `events` and process them in one worker batch: (statements, CPU seconds)."""
    with override_settings(STRIPE_EVENTS_PROCESS_INLINE=False):
        for event in events:
            stripe_event_store(payload=json.dumps(event), data=event)
    with CaptureQueriesContext(connection) as queries:
        started = time.process_time()
        assert stripe_events_process_batch(limit=len(events) + 10) == len(events)
        cpu = time.process_time() - started
    return [q["sql"] for q in queries.captured_queries], cpu


def seen(client) -> list[tuple]:
    """What the firm sees of the client's payments and invoices."""
    payments = OnlinePayment.objects.filter(invoice__client=client).select_related("invoice")
    return sorted(
        (
            p.status,
            p.payment_intent_id,
            p.charge_id,
            p.succeeded_at,
            p.method,
            p.amount_refunded,
            p.failure_message,
            p.updated_at,
            p.invoice.status,
            p.invoice.amount_paid,
            p.invoice.updated_at,
            p.notices.count(),
        )
        for p in payments
    )


def test_the_events_of_recorded_charges_change_nothing_and_cost_a_read_each(
    stripe_sandbox, card_client, account
):
    events = charged(stripe_sandbox, card_client, account.stripe_account_id, 6)
    told = [e for e in events if e["type"] in ("payment_intent.succeeded", "charge.succeeded")]
    assert len(told) == 12
    before = seen(card_client)

    statements, cpu = processed(events)

    assert seen(card_client) == before
    assert dict(StripeEvent.objects.values_list("type", "status").distinct()) == {
        "payment_intent.created": "ignored",  # not a type Firmpay reads
        "payment_intent.succeeded": "processed",
        "charge.succeeded": "processed",
    }
    reads = [s for s in statements if s.startswith('SELECT "payments_onlinepayment"."id"')]
    # The read that finds each event's payment, or one for the batch when the worker reads
    # its payments together (`payments_read_together`).
    assert 1 <= len(reads) <= len(told)
    others = [
        s
        for s in statements
        if s not in reads
        and "payments_stripeevent" not in s
        and not s.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "SELECT DISTINCT"))
    ]
    assert others == []  # no lock, no write but the events' own rows
    print(f"\n{len(told)} payment events: {len(statements)} statements, {cpu * 1000:.1f} ms CPU")


def test_read_together_the_facts_of_recorded_charges_cost_one_read(
    stripe_sandbox, card_client, account
):
    events = charged(stripe_sandbox, card_client, account.stripe_account_id, 6)
    envelopes = [event_envelope_from_payload(json.dumps(event)) for event in events]
    before = seen(card_client)

    with CaptureQueriesContext(connection) as queries, payments_read_together(refs(events)):
        outcomes = [stripe_event_apply(envelope) for envelope in envelopes]

    assert seen(card_client) == before
    assert outcomes.count("processed") == 12
    assert len(queries) == 1  # the payments the facts name, read together


def test_read_together_a_fact_that_is_new_is_still_applied(recorded):
    refunded = recorded.charge("charge.refunded", amount_refunded=recorded.p.amount)
    again = recorded.intent("payment_intent.succeeded")
    with payments_read_together(refs([refunded, again])):
        assert deliver(again) == "processed"
        assert deliver(refunded) == "processed"
    recorded.p.refresh_from_db()
    recorded.p.invoice.refresh_from_db()
    assert (recorded.p.status, recorded.p.invoice.status) == ("refunded", "refunded")


@pytest.fixture
def recorded(stripe_sandbox, card_client, account):
    """One charge recorded by the batch, its events processed; Stripe-shaped events for it."""
    processed(charged(stripe_sandbox, card_client, account.stripe_account_id, 1))
    payment = OnlinePayment.objects.get(invoice__client=card_client)
    stripe = Stripe(payment)
    stripe.pi, stripe.ch = payment.payment_intent_id, payment.charge_id
    return stripe


def test_a_duplicate_success_leaves_the_payment_as_it_was(recorded, card_client):
    before = seen(card_client)
    assert deliver(recorded.intent("payment_intent.succeeded")) == "processed"
    assert deliver(recorded.charge("charge.succeeded")) == "processed"
    assert seen(card_client) == before


def test_a_refund_after_the_recorded_success_is_applied(recorded):
    assert deliver(recorded.charge("charge.refunded", amount_refunded=4000)) == "processed"
    recorded.p.refresh_from_db()
    assert (recorded.p.status, recorded.p.amount_refunded) == ("partially_refunded", 4000)


def test_a_dispute_after_the_recorded_success_is_applied(recorded):
    assert deliver(recorded.dispute("charge.dispute.created")) == "processed"
    recorded.p.refresh_from_db()
    recorded.p.invoice.refresh_from_db()
    assert (recorded.p.status, recorded.p.invoice.disputed) == ("disputed", True)


def test_a_charge_id_the_payment_lacks_is_learned(recorded):
    OnlinePayment.objects.filter(pk=recorded.p.pk).update(charge_id="")
    assert deliver(recorded.charge("charge.succeeded")) == "processed"
    recorded.p.refresh_from_db()
    assert (recorded.p.charge_id, recorded.p.status) == (recorded.ch, "succeeded")


def test_a_failure_message_after_the_recorded_success_is_kept(recorded):
    declined = recorded.intent(
        "payment_intent.payment_failed",
        error={"message": "Your card was declined.", "payment_method": {"type": "card"}},
    )
    assert deliver(declined) == "processed"
    recorded.p.refresh_from_db()
    assert (recorded.p.status, recorded.p.failure_message) == (
        "succeeded",
        "Your card was declined.",
    )
