"""Shared by the checkout/payment/refund/dispute/payout tests (no tests here)."""

from __future__ import annotations

from typing import Any

import stripe

US_CAPABILITIES = {
    "card_payments": {"requested": True},
    "transfers": {"requested": True},
    "us_bank_account_ach_payments": {"requested": True},
}
GB_CAPABILITIES = {
    "card_payments": {"requested": True},
    "transfers": {"requested": True},
    "bacs_debit_payments": {"requested": True},
}


def firm_account(sandbox, client, *, country: str = "US", name: str = "Ledger & Co") -> str:
    """A verified connected account (charges enabled, capabilities active)."""
    account = client.v1.accounts.create(
        params={
            "country": country,
            "email": "owner@firm.example",
            "business_profile": {"name": name},
            "capabilities": US_CAPABILITIES if country == "US" else GB_CAPABILITIES,
        }
    )
    sandbox.control("POST", f"accounts/{account.id}/state", {"state": "verified"})
    return account.id


def session_params(**extra: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "mode": "payment",
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": "usd",
                    "unit_amount": 25000,
                    "product_data": {"name": "Invoice INV-0042"},
                },
            }
        ],
        "payment_intent_data": {
            "application_fee_amount": 250,
            "metadata": {"firmpay_payment_id": "42"},
        },
        "metadata": {"firmpay_payment_id": "42"},
        "success_url": "http://127.0.0.1:9/paid?session={CHECKOUT_SESSION_ID}",
        "cancel_url": "http://127.0.0.1:9/cancel",
        "customer_email": "ap@client.example",
        "allowed_payment_method_types": ["card", "us_bank_account"],
    }
    params.update(extra)
    return params


def gbp_params(**extra: Any) -> dict[str, Any]:
    params = session_params(allowed_payment_method_types=["card", "bacs_debit"])
    params["line_items"][0]["price_data"]["currency"] = "gbp"
    params.update(extra)
    return params


def checkout(client, acct: str, **extra: Any) -> stripe.checkout.Session:
    return client.v1.checkout.sessions.create(
        params=session_params(**extra), options={"stripe_account": acct}
    )


def pay(sandbox, session_id: str, method: str = "card", outcome: str = "succeed", **kw) -> dict:
    return sandbox.control(
        "POST", f"checkout/sessions/{session_id}/pay", {"method": method, "outcome": outcome, **kw}
    )


def event_types(client, acct: str, **params: Any) -> list[str]:
    """Event types on the account, oldest first."""
    events = client.v1.events.list(
        params={"limit": 100, **params}, options={"stripe_account": acct}
    )
    return [e.type for e in reversed(events.data)]


def webhook_endpoint(client, url: str) -> str:
    endpoint = client.v1.webhook_endpoints.create(
        params={"url": url, "enabled_events": ["*"], "connect": True}
    )
    return endpoint.secret


def verified_events(client, receiver, secret: str, count: int) -> list:
    """Wait for `count` deliveries; every one must verify with construct_event."""
    received = receiver.wait_for(count)
    return [
        client.construct_event(r["body"], r["headers"]["Stripe-Signature"], secret)
        for r in received
    ]
