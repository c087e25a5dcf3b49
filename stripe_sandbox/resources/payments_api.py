"""Read side of payments: payment intents, charges, balance transactions,
payment methods (on the account the call acts on) and application fees (on
the platform). Objects are written by `payment_flow`."""

from __future__ import annotations

from typing import Any

import stripe.params as sp

from stripe_sandbox import api, errors, objects
from stripe_sandbox.resources.dashboard import register_section
from stripe_sandbox.router import Request, Router

router = Router()
register_section(
    "payment_intent",
    "Payments",
    ["id", "amount", "currency", "status", "application_fee_amount", "latest_charge", "created"],
)
register_section(
    "charge", "Charges", ["id", "amount", "currency", "status", "amount_refunded", "failure_code"]
)
register_section("application_fee", "Application fees", ["id", "amount", "currency", "account"])


def _where(req: Request, *names: str) -> dict[str, Any]:
    return {name: req.params[name] for name in names if req.params.get(name)}


@router.get("/v1/payment_intents/{intent}", params=sp.PaymentIntentRetrieveParams)
def payment_intent_retrieve(req: Request, intent: str) -> dict[str, Any]:
    return api.get_or_404(req, "payment_intent", intent, param="intent")


@router.get("/v1/payment_intents", params=sp.PaymentIntentListParams)
def payment_intent_list(req: Request) -> dict[str, Any]:
    return api.list_page(
        req, "payment_intent", "/v1/payment_intents", where=_where(req, "customer")
    )


@router.get("/v1/charges/{charge}", params=sp.ChargeRetrieveParams)
def charge_retrieve(req: Request, charge: str) -> dict[str, Any]:
    return api.get_or_404(req, "charge", charge, param="charge")


@router.post("/v1/charges/{charge}", params=sp.ChargeUpdateParams)
def charge_update(req: Request, charge: str) -> dict[str, Any]:
    """Description and metadata; a change emits `charge.updated`."""
    obj = api.get_or_404(req, "charge", charge, param="charge")
    before = {key: obj.get(key) for key in ("description", "metadata")}
    if "metadata" in req.params:
        obj["metadata"] = api.metadata_merge(obj["metadata"], req.params["metadata"])
    if "description" in req.params:
        obj["description"] = req.params["description"] or None
    changed = {key: old for key, old in before.items() if obj.get(key) != old}
    if changed:
        api.save(req, obj)
        api.emit(req, "charge.updated", obj, previous_attributes=changed)
    return obj


@router.get("/v1/charges", params=sp.ChargeListParams)
def charge_list(req: Request) -> dict[str, Any]:
    return api.list_page(
        req, "charge", "/v1/charges", where=_where(req, "payment_intent", "customer")
    )


@router.get("/v1/balance_transactions/{id}", params=sp.BalanceTransactionRetrieveParams)
def balance_transaction_retrieve(req: Request, id: str) -> dict[str, Any]:
    return api.get_or_404(req, "balance_transaction", id)


@router.get("/v1/balance_transactions", params=sp.BalanceTransactionListParams)
def balance_transaction_list(req: Request) -> dict[str, Any]:
    return api.list_page(
        req,
        "balance_transaction",
        "/v1/balance_transactions",
        where=_where(req, "currency", "source", "type") | _payout_filter(req),
    )


def _payout_filter(req: Request) -> dict[str, Any]:
    """`payout=po_…`: the transactions an automatic payout paid out (and its own)."""
    payout = req.params.get("payout")
    return {f"{objects.PRIVATE}.payout": payout} if payout else {}


@router.get("/v1/payment_methods/{payment_method}", params=sp.PaymentMethodRetrieveParams)
def payment_method_retrieve(req: Request, payment_method: str) -> dict[str, Any]:
    return api.get_or_404(req, "payment_method", payment_method, param="payment_method")


def _platform_only(req: Request) -> None:
    if not req.is_platform:
        raise errors.invalid_request(
            "Application fees belong to the platform: call without Stripe-Account."
        )


@router.get("/v1/application_fees/{id}", params=sp.ApplicationFeeRetrieveParams)
def application_fee_retrieve(req: Request, id: str) -> dict[str, Any]:
    _platform_only(req)
    return api.get_or_404(req, "application_fee", id)


@router.get("/v1/application_fees", params=sp.ApplicationFeeListParams)
def application_fee_list(req: Request) -> dict[str, Any]:
    _platform_only(req)
    return api.list_page(
        req, "application_fee", "/v1/application_fees", where=_where(req, "charge")
    )
