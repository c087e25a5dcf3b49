"""A charged batch is recorded in one transaction: succeeded card charges set-based, written
exactly as the one-by-one path writes them; anything else through that path."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from firmpay.accounting.models import AccountingConnection, SyncItem
from firmpay.invoices.services import invoice_record_manual_payment
from firmpay.payments.autopay import batch
from firmpay.payments.autopay.charges import autopay_charge, autopay_sweep
from firmpay.payments.autopay.models import InvoiceAutopay
from firmpay.payments.tests.autopay_helpers import authorised, live_account, new_client, sent_to

pytestmark = pytest.mark.usefixtures("stripe_settings")


@pytest.fixture
def card_client(stripe_sandbox, firm):
    live_account(stripe_sandbox, firm)
    client = new_client(firm)
    authorised(stripe_sandbox, client)
    return client


def recorded(invoice) -> dict:
    """Everything recording a charge writes about the invoice, ids left out."""
    invoice.refresh_from_db()
    payment = invoice.online_payments.get()
    row = InvoiceAutopay.objects.get(invoice=invoice)
    attempt = row.charge_attempts.get()
    return {
        "invoice": (invoice.status, invoice.amount_paid, invoice.amount_due, invoice.disputed),
        "payment": (
            payment.status,
            payment.payment_intent_id.startswith("pi_"),
            payment.charge_id.startswith("ch_"),
            payment.succeeded_at is not None,
            payment.amount_refunded,
            payment.failure_message,
        ),
        "notices": sorted((n.kind, n.key, n.sent_at) for n in payment.notices.all()),
        "attempt": (
            attempt.status,
            attempt.payment_intent_id == payment.payment_intent_id,
            attempt.error_code,
        ),
        "row": (row.status, row.next_attempt_at, row.last_error, row.attempts),
        "books": sorted(
            (
                item.action,
                item.status,
                item.payment_key in ("", f"online:{payment.pk}"),
                item.payload.get("reference", payment.payment_intent_id)
                == payment.payment_intent_id,
                sorted((k, v) for k, v in item.payload.items() if k != "reference"),
            )
            for item in SyncItem.objects.filter(invoice=invoice)
        ),
    }


def test_a_batch_records_a_success_as_the_one_by_one_path_does(card_client, firm):
    AccountingConnection.objects.create(firm=firm, vendor="xero", status="setup")
    alone, batched = sent_to(card_client), sent_to(card_client)
    assert autopay_charge(invoice_autopay_id=InvoiceAutopay.objects.get(invoice=alone).pk)
    assert autopay_sweep().charged == 1
    expected = recorded(alone)
    assert expected["invoice"][0] == "paid" and len(expected["books"]) == 2
    assert recorded(batched) == expected


def test_an_invoice_paid_in_part_since_the_claim_is_recorded_by_the_ordinary_path(card_client):
    invoice = sent_to(card_client, amount=10000)
    claim = batch.autopay_claim(now=timezone.now())
    invoice_record_manual_payment(
        invoice=invoice, amount=2500, method="cheque", received_on=timezone.localdate()
    )
    assert batch.autopay_charge_claimed(claim.claimed) == ["succeeded"]
    invoice.refresh_from_db()
    # Charged what was due at the claim: the invoice shows the overpayment as it is.
    assert (invoice.status, invoice.amount_paid, invoice.amount_due) == ("paid", 12500, -2500)


def test_a_decline_in_a_batch_of_successes_is_recorded_as_a_decline(
    card_client, stripe_sandbox, firm
):
    declining = new_client(firm)
    authorised(stripe_sandbox, declining, outcome="decline")
    paid, declined = sent_to(card_client), sent_to(declining)
    assert sorted(
        batch.autopay_charge_claimed(batch.autopay_claim(now=timezone.now()).claimed)
    ) == [
        "declined",
        "succeeded",
    ]
    assert recorded(paid)["row"][0] == "collected"
    declined.refresh_from_db()
    assert declined.status == "open"
    assert InvoiceAutopay.objects.get(invoice=declined).status == "retrying"


def test_recording_a_batch_takes_the_same_statements_for_3_charges_as_for_9(card_client):
    def statements(n: int) -> int:
        for _ in range(n):
            sent_to(card_client)
        claim = batch.autopay_claim(now=timezone.now())
        with CaptureQueriesContext(connection) as queries:
            assert batch.autopay_charge_claimed(claim.claimed) == ["succeeded"] * n
        return len(queries)

    assert statements(3) == statements(9)
