"""The per-method hashes Stripe puts on a PaymentMethod, a Charge, a Refund
and a Dispute, shaped like its example objects and the SDK's classes.

Card hashes start from the example's card hash (every field present, none
of its values); bank debits have no example, so they carry the fields the
SDK's classes name. Refunds and disputes of bank debits carry no per-method
hash: Stripe's refund destinations and dispute method details have none for
ACH or Bacs.
"""

from __future__ import annotations

from typing import Any

from stripe_sandbox import ids, objects

DEBITS = ("us_bank_account", "bacs_debit")


def _fingerprint(details: dict[str, Any]) -> str:
    return details.get("fingerprint") or ids.random_token(16)


def payment_method_hash(method: str, details: dict[str, Any]) -> dict[str, Any]:
    """`payment_method.<method>` from what the payer entered."""
    fingerprint = _fingerprint(details)
    if method == "card":
        brand = details["brand"]
        return objects.part(
            "payment_method",
            "card",
            brand=brand,
            checks=details.get("checks"),
            country=details.get("country"),
            display_brand=brand,
            exp_month=details["exp_month"],
            exp_year=details["exp_year"],
            fingerprint=fingerprint,
            funding=details.get("funding"),
            last4=details["last4"],
            networks={"available": [brand], "preferred": None},
            regulated_status="unregulated",
            three_d_secure_usage={"supported": True},
        )
    if method == "us_bank_account":
        return {
            "account_holder_type": details.get("account_holder_type"),
            "account_type": details.get("account_type"),
            "bank_name": details.get("bank_name"),
            "financial_connections_account": None,
            "fingerprint": fingerprint,
            "last4": details["last4"],
            "networks": {"preferred": "ach", "supported": ["ach"]},
            "routing_number": details.get("routing_number"),
            "status_details": {},
        }
    return {
        "fingerprint": fingerprint,
        "last4": details["last4"],
        "sort_code": details["sort_code"],
    }


def charge_hash(pm: dict[str, Any], amount: int, now: int) -> dict[str, Any]:
    """`charge.payment_method_details` for a charge paid with `pm`."""
    method = pm["type"]
    own = pm[method]
    if method == "card":
        details = objects.part(
            "charge",
            "payment_method_details.card",
            amount_authorized=amount,
            brand=own["brand"],
            checks=own.get("checks"),
            country=own.get("country"),
            exp_month=own["exp_month"],
            exp_year=own["exp_year"],
            extended_authorization={"status": "disabled"},
            fingerprint=own["fingerprint"],
            funding=own.get("funding"),
            incremental_authorization={"status": "unavailable"},
            last4=own["last4"],
            multicapture={"status": "unavailable"},
            network=own["brand"],
            network_token={"used": False},
            network_transaction_id=ids.random_token(15).upper(),
            overcapture={"maximum_amount_capturable": amount, "status": "unavailable"},
            regulated_status="unregulated",
        )
    else:
        details = {
            "expected_debit_date": None,
            "fingerprint": own["fingerprint"],
            "last4": own["last4"],
            "mandate": ids.new_id("mandate"),
        }
        if method == "us_bank_account":
            details.update(
                account_holder_type=own.get("account_holder_type"),
                account_type=own.get("account_type"),
                bank_name=own.get("bank_name"),
                payment_reference=None,
                routing_number=own.get("routing_number"),
            )
        else:
            details["sort_code"] = own["sort_code"]
    return {"type": method, method: details}


def outcome(
    *, network_status: str, type: str, reason: str | None, message: str, card: bool
) -> dict[str, Any]:
    """`charge.outcome`; Radar scores cards only."""
    return objects.part(
        "charge",
        "outcome",
        network_status=network_status,
        reason=reason,
        risk_level="normal" if card else "not_assessed",
        risk_score=20 if card else None,
        seller_message=message,
        type=type,
    )


def refund_destination(method: str) -> dict[str, Any] | None:
    """`refund.destination_details`: a card refund goes back through the
    network; Stripe has no destination hash for ACH or Bacs refunds."""
    if method != "card":
        return None
    return {
        "card": {
            "reference": None,
            "reference_status": "pending",
            "reference_type": "acquirer_reference_number",
            "type": "refund",
        },
        "type": "card",
    }


def dispute_hash(charge: dict[str, Any], reason: str) -> dict[str, Any] | None:
    """`dispute.payment_method_details`: card disputes name the network's
    case; bank debit returns (ACH R10, Bacs indemnity) have no hash."""
    details = charge.get("payment_method_details") or {}
    if details.get("type") != "card":
        return None
    brand = details["card"]["brand"]
    return {
        "card": {
            "brand": brand,
            "case_type": "chargeback",
            "network": brand,
            "network_reason_code": NETWORK_REASON_CODES.get((brand, reason), "4853"),
        },
        "type": "card",
    }


# (brand, dispute reason) -> the card network's reason code.
NETWORK_REASON_CODES = {
    ("visa", "fraudulent"): "10.4",
    ("visa", "product_not_received"): "13.1",
    ("visa", "duplicate"): "12.6.1",
    ("visa", "credit_not_processed"): "13.6",
    ("visa", "general"): "13.3",
    ("mastercard", "fraudulent"): "4837",
    ("mastercard", "product_not_received"): "4855",
    ("mastercard", "duplicate"): "4834",
}
