"""Builders for the autopay tests: a live firm on the sandbox, a client who authorised a
method (through the real setup session, saved by the sandbox's control call), an invoice
marked for automatic collection, and the account's events fed through the service."""

from __future__ import annotations

import uuid

from firmpay.clients.services import client_create
from firmpay.invoices.services import invoice_send
from firmpay.invoices.tests.builders import invoice_build, line
from firmpay.payments.autopay.authorise import (
    autopay_authorisation_complete,
    autopay_authorisation_start,
)
from firmpay.payments.services import payment_account_create, payment_account_refresh
from firmpay.payments.tests.online import deliver


def live_account(stripe_sandbox, firm):
    account = payment_account_create(firm=firm, actor=firm.owner)
    stripe_sandbox.control(
        "POST", f"accounts/{account.stripe_account_id}/state", {"state": "verified"}
    )
    payment_account_refresh(account=account)
    return account


def new_client(firm, *, currency="USD"):
    return client_create(
        firm=firm, name="Acme Ltd", email=f"ap-{uuid.uuid4().hex[:6]}@acme.test", currency=currency
    )


def authorised(stripe_sandbox, client, *, method="card", outcome="succeed", invoice=None):
    authorisation = autopay_authorisation_start(client=client, invoice=invoice)
    stripe_sandbox.control(
        "POST",
        f"checkout/sessions/{authorisation.setup_session_id}/setup",
        {"method": method, "outcome": outcome},
    )
    return autopay_authorisation_complete(authorisation=authorisation)


def sent_to(client, *, amount=10000):
    invoice = invoice_build(firm=client.firm, client=client, lines=[line(unit_amount=amount)])
    invoice_send(invoice=invoice)
    invoice.refresh_from_db()
    return invoice


def feed_events(stripe_sandbox, account_id: str, seen: set) -> None:
    client = stripe_sandbox.client()
    events = client.v1.events.list(params={"limit": 100}, options={"stripe_account": account_id})
    for event in reversed(events.data):
        if event.id not in seen:
            seen.add(event.id)
            deliver(event.to_dict())


def intents(stripe_sandbox, account_id: str) -> list:
    client = stripe_sandbox.client()
    return client.v1.payment_intents.list(
        params={"limit": 100}, options={"stripe_account": account_id}
    ).data
