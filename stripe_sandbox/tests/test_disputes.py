"""Disputes: opened and closed by control calls; evidence and acceptance through the API."""

from __future__ import annotations

import pytest
import stripe

from stripe_sandbox.tests.test_payments_helpers import (
    checkout,
    event_types,
    firm_account,
    pay,
    verified_events,
    webhook_endpoint,
)


@pytest.fixture
def acct(stripe_sandbox, stripe_client) -> str:
    return firm_account(stripe_sandbox, stripe_client)


@pytest.fixture
def charge(stripe_sandbox, stripe_client, acct) -> dict:
    return pay(stripe_sandbox, checkout(stripe_client, acct).id)["charge"]


def open_dispute(stripe_sandbox, charge_id: str, **body) -> dict:
    return stripe_sandbox.control("POST", f"charges/{charge_id}/dispute", body)


def test_a_dispute_opens_with_an_evidence_deadline(stripe_sandbox, stripe_client, acct, charge):
    now = stripe_sandbox.control("GET", "clock")["now"]
    opened = open_dispute(stripe_sandbox, charge["id"], reason="product_not_received")
    dispute = stripe_client.v1.disputes.retrieve(opened["id"], options={"stripe_account": acct})
    assert dispute.id.startswith("dp_")
    assert (dispute.status, dispute.reason, dispute.amount) == (
        "needs_response",
        "product_not_received",
        25000,
    )
    assert dispute.charge == charge["id"]
    assert dispute.payment_intent == charge["payment_intent"]
    assert 7 * 86400 - 5 <= dispute.evidence_details.due_by - now <= 7 * 86400 + 5
    assert dispute.balance_transactions[0].amount == -25000
    assert stripe_client.v1.charges.retrieve(
        charge["id"], options={"stripe_account": acct}
    ).disputed
    assert event_types(stripe_client, acct)[-2:] == [
        "charge.dispute.created",
        "charge.dispute.funds_withdrawn",
    ]
    with pytest.raises(AssertionError, match="undisputed"):
        open_dispute(stripe_sandbox, charge["id"])


def test_evidence_then_won(stripe_sandbox, stripe_client, acct, charge):
    options = {"stripe_account": acct}
    dispute_id = open_dispute(stripe_sandbox, charge["id"])["id"]
    updated = stripe_client.v1.disputes.update(
        dispute_id,
        params={"evidence": {"uncategorized_text": "Signed engagement letter"}},
        options=options,
    )
    assert updated.status == "under_review"
    assert updated.evidence.uncategorized_text == "Signed engagement letter"
    assert updated.evidence_details.has_evidence
    closed = stripe_sandbox.control("POST", f"disputes/{dispute_id}/close", {"status": "won"})
    assert closed["status"] == "won"
    assert event_types(stripe_client, acct)[-3:] == [
        "charge.dispute.updated",
        "charge.dispute.closed",
        "charge.dispute.funds_reinstated",
    ]
    with pytest.raises(stripe.InvalidRequestError):
        stripe_client.v1.disputes.update(
            dispute_id, params={"evidence": {"uncategorized_text": "late"}}, options=options
        )


def test_lost_by_control_or_by_accepting(stripe_sandbox, stripe_client, acct, charge):
    options = {"stripe_account": acct}
    dispute_id = open_dispute(stripe_sandbox, charge["id"])["id"]
    stripe_sandbox.control("POST", f"disputes/{dispute_id}/close", {"status": "lost"})
    assert stripe_client.v1.disputes.retrieve(dispute_id, options=options).status == "lost"
    with pytest.raises(AssertionError, match="already closed"):
        stripe_sandbox.control("POST", f"disputes/{dispute_id}/close", {"status": "won"})
    other = pay(stripe_sandbox, checkout(stripe_client, acct).id)["charge"]
    accepted = stripe_client.v1.disputes.close(
        open_dispute(stripe_sandbox, other["id"])["id"], options=options
    )
    assert accepted.status == "lost"
    listed = stripe_client.v1.disputes.list(options=options)
    assert len(listed.data) == 2
    by_charge = stripe_client.v1.disputes.list(params={"charge": other["id"]}, options=options)
    assert [d.id for d in by_charge.data] == [accepted.id]


def test_dispute_webhooks_verify(stripe_sandbox, stripe_client, acct, charge, webhook_receiver):
    secret = webhook_endpoint(stripe_client, webhook_receiver.url)
    dispute_id = open_dispute(stripe_sandbox, charge["id"])["id"]
    stripe_sandbox.control("POST", f"disputes/{dispute_id}/close", {"status": "lost"})
    events = verified_events(stripe_client, webhook_receiver, secret, 3)
    assert sorted(e.type for e in events) == [
        "charge.dispute.closed",
        "charge.dispute.created",
        "charge.dispute.funds_withdrawn",
    ]
    closed = next(e for e in events if e.type == "charge.dispute.closed")
    assert closed.account == acct and closed.data.object.status == "lost"
