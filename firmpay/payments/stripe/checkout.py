"""Checkout Sessions and refunds on a connected account (direct charges). The only code
calling `client.v1.checkout.sessions.*` and `client.v1.refunds.*`; sessions are mapped to
CheckoutSessionInfo, a refund to the fact it is (`stripe/events.py` maps event objects)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from firmpay.payments.facts import Refunded, RefundFailed
from firmpay.payments.stripe.client import get_client
from firmpay.payments.stripe.errors import translated_errors
from firmpay.payments.stripe.events import refund_fact_from_stripe
from firmpay.payments.stripe.mappers import from_timestamp


@dataclass(frozen=True)
class CheckoutSessionInfo:
    id: str
    url: str
    status: str  # open | complete | expired
    payment_status: str  # paid | unpaid | no_payment_required
    payment_intent: str
    amount_total: int
    expires_at: datetime | None
    metadata: dict


def _id(value) -> str:
    if isinstance(value, Mapping):
        return value.get("id") or ""
    return value or ""


def session_from_stripe(data: Mapping) -> CheckoutSessionInfo:
    return CheckoutSessionInfo(
        id=data["id"],
        url=data.get("url") or "",
        status=data.get("status") or "",
        payment_status=data.get("payment_status") or "",
        payment_intent=_id(data.get("payment_intent")),
        amount_total=int(data.get("amount_total") or 0),
        expires_at=from_timestamp(data.get("expires_at")),
        metadata=dict(data.get("metadata") or {}),
    )


def checkout_session_create(
    *,
    account_id: str,
    amount: int,
    currency: str,
    description: str,
    application_fee_amount: int,
    methods: list[str],
    metadata: dict[str, str],
    success_url: str,
    cancel_url: str,
    customer_email: str,
    client_reference_id: str,
    idempotency_key: str,
) -> CheckoutSessionInfo:
    """A Checkout Session on the connected account: a direct charge with our fee."""
    intent_data: dict = {"metadata": metadata, "description": description}
    if application_fee_amount > 0:
        intent_data["application_fee_amount"] = application_fee_amount
    params: dict = {
        "mode": "payment",
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": currency.lower(),
                    "unit_amount": amount,
                    "product_data": {"name": description},
                },
            }
        ],
        "payment_intent_data": intent_data,
        "metadata": metadata,
        "client_reference_id": client_reference_id,
        "success_url": success_url,
        "cancel_url": cancel_url,
        "allowed_payment_method_types": methods,
    }
    if customer_email:
        params["customer_email"] = customer_email
    with translated_errors("checkout session create"):
        session = get_client().v1.checkout.sessions.create(
            params=params,
            options={"stripe_account": account_id, "idempotency_key": idempotency_key},
        )
    return session_from_stripe(session.to_dict())


def checkout_session_expire(*, account_id: str, session_id: str) -> CheckoutSessionInfo:
    with translated_errors("checkout session expire"):
        session = get_client().v1.checkout.sessions.expire(
            session_id, options={"stripe_account": account_id}
        )
    return session_from_stripe(session.to_dict())


def checkout_session_retrieve(*, account_id: str, session_id: str) -> CheckoutSessionInfo:
    with translated_errors("checkout session retrieve"):
        session = get_client().v1.checkout.sessions.retrieve(
            session_id, options={"stripe_account": account_id}
        )
    return session_from_stripe(session.to_dict())


def refund_create(
    *,
    account_id: str,
    payment_intent: str,
    amount: int,
    reason: str,
    metadata: dict[str, str],
    idempotency_key: str,
) -> Refunded | RefundFailed:
    """Refund (part of) a direct charge; our application fee is refunded in proportion."""
    params: dict = {
        "payment_intent": payment_intent,
        "amount": amount,
        "metadata": metadata,
        "refund_application_fee": True,
    }
    if reason:
        params["reason"] = reason
    with translated_errors("refund create"):
        refund = get_client().v1.refunds.create(
            params=params,
            options={"stripe_account": account_id, "idempotency_key": idempotency_key},
        )
    return refund_fact_from_stripe(refund.to_dict(), account=account_id, at=timezone.now())
