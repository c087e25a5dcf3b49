"""Builders for the online-payment tests: a firm with a connected account that can take
charges, an invoice sent to a client, a pending payment row, and Stripe-shaped events fed
through the real processing service (store, then process)."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

from django.utils import timezone

from firmpay.clients.services import client_create
from firmpay.invoices.services import invoice_send
from firmpay.invoices.tests.builders import invoice_build, line
from firmpay.payments.models import PaymentAccount, StripeEvent
from firmpay.payments.online.models import OnlinePayment
from firmpay.payments.services.events import stripe_event_process, stripe_event_store


def connected_account(firm, *, acct=None, ach="active", bacs="inactive") -> PaymentAccount:
    acct = acct or f"acct_{uuid.uuid4().hex[:16]}"
    return PaymentAccount.objects.create(
        firm=firm,
        stripe_account_id=acct,
        created_via="platform",
        status="active",
        charges_enabled=True,
        payouts_enabled=True,
        snapshot={
            "id": acct,
            "charges_enabled": True,
            "payouts_enabled": True,
            "capabilities": {"card": "active", "ach": ach, "bacs": bacs, "transfers": "active"},
        },
        snapshot_at=timezone.now(),
    )


def sent_invoice(firm, *, amount=10000, currency="USD"):
    client = client_create(
        firm=firm, name="Acme Ltd", email=f"ap-{uuid.uuid4().hex[:6]}@acme.test", currency=currency
    )
    invoice = invoice_build(firm=firm, client=client, lines=[line(unit_amount=amount)])
    invoice_send(invoice=invoice)
    invoice.refresh_from_db()
    return invoice


def pending_payment(invoice, account, *, amount=None, method_hint="") -> OnlinePayment:
    return OnlinePayment.objects.create(
        firm=invoice.firm,
        invoice=invoice,
        account=account,
        stripe_account_id=account.stripe_account_id,
        amount=amount or invoice.amount_due,
        currency=invoice.currency,
        allowed_methods=["card", "us_bank_account"],
        checkout_session_id=f"cs_test_{uuid.uuid4().hex[:20]}",
        checkout_url="http://stripe.test/pay",
        session_expires_at=timezone.now() + timedelta(hours=24),
    )


def event(type_, account, obj, *, created=None, event_id=None) -> dict:
    return {
        "id": event_id or f"evt_{uuid.uuid4().hex[:24]}",
        "object": "event",
        "api_version": "2026-10-28.endive",
        "account": account,
        "created": created or int(timezone.now().timestamp()),
        "livemode": False,
        "pending_webhooks": 1,
        "type": type_,
        "data": {"object": obj},
    }


def deliver(data: dict) -> str | None:
    """One delivery: store (a duplicate id is not stored twice) and process; a duplicate
    delivery is processed again anyway (force), as a replay would."""
    payload = json.dumps(data)
    created = stripe_event_store(payload=payload, data=data)
    return stripe_event_process(event_id=data["id"], force=not created)


def event_status(event_id: str) -> str:
    return StripeEvent.objects.get(event_id=event_id).status


class Stripe:
    """Stripe-shaped objects for one payment."""

    def __init__(self, payment: OnlinePayment, *, method="card"):
        self.p = payment
        self.acct = payment.stripe_account_id
        self.pi = f"pi_{uuid.uuid4().hex[:20]}"
        self.ch = f"ch_{uuid.uuid4().hex[:20]}"
        self.method = method
        self.meta = {
            "firmpay_payment_id": str(payment.pk),
            "firmpay_invoice_id": str(payment.invoice_id),
        }

    def session(self, type_, payment_status="paid", at=None):
        obj = {
            "id": self.p.checkout_session_id,
            "object": "checkout.session",
            "payment_intent": self.pi,
            "payment_status": payment_status,
            "status": "complete" if type_ != "checkout.session.expired" else "expired",
            "amount_total": self.p.amount,
            "metadata": self.meta,
        }
        return event(type_, self.acct, obj, created=at)

    def intent(self, type_, at=None, error=None):
        obj = {
            "id": self.pi,
            "object": "payment_intent",
            "amount": self.p.amount,
            "metadata": self.meta,
            "latest_charge": self.ch,
            "payment_method_types": [self.method],
            "last_payment_error": error,
        }
        return event(type_, self.acct, obj, created=at)

    def charge(self, type_, *, amount_refunded=0, at=None, status="succeeded"):
        """A charge as Stripe sends it since API 2022-11-15: no `refunds` inside."""
        obj = {
            "id": self.ch,
            "object": "charge",
            "amount": self.p.amount,
            "amount_refunded": amount_refunded,
            "refunded": amount_refunded >= self.p.amount,
            "payment_intent": self.pi,
            "status": status,
            "payment_method_details": {"type": self.method},
            "metadata": {},
        }
        return event(type_, self.acct, obj, created=at)

    def refund(self, type_, amount, *, refund_id=None, status="succeeded", at=None):
        """A refund.* / charge.refund.updated event: one refund, as Stripe sends it."""
        obj = {
            "id": refund_id or f"re_{uuid.uuid4().hex[:20]}",
            "object": "refund",
            "amount": amount,
            "currency": self.p.currency.lower(),
            "status": status,
            "charge": self.ch,
            "payment_intent": self.pi,
            "metadata": {},
        }
        return event(type_, self.acct, obj, created=at)

    def dispute(self, type_, status="needs_response", *, dispute_id=None, at=None):
        obj = {
            "id": dispute_id or f"dp_{self.pi[3:]}",
            "object": "dispute",
            "amount": self.p.amount,
            "currency": self.p.currency.lower(),
            "charge": self.ch,
            "payment_intent": self.pi,
            "status": status,
            "reason": "fraudulent",
            "evidence_details": {"due_by": int(timezone.now().timestamp()) + 7 * 86400},
        }
        return event(type_, self.acct, obj, created=at)
