"""Refunds: /v1/refunds create, retrieve, list, update (metadata).

Full or partial, by `payment_intent` or `charge`, on the account the charge
lives on. Card refunds succeed at once; bank debit refunds stay `pending`
until the sandbox clock passes the method's settlement days (then
`refund.updated`). `refund_application_fee` refunds the platform's fee in
proportion.
"""

from __future__ import annotations

from typing import Any

import stripe.params as sp

from stripe_sandbox import api, errors, objects
from stripe_sandbox.resources import method_details
from stripe_sandbox.resources.payment_flow import DAY, SETTLE_DAYS, balance_transaction
from stripe_sandbox.router import Request, Router
from stripe_sandbox.scheduler import job

router = Router()


def _charge_for(req: Request) -> tuple[dict[str, Any], dict[str, Any] | None]:
    p = req.params
    if p.get("charge"):
        charge = api.get_or_404(req, "charge", p["charge"], param="charge")
        pi = req.sb.store.get("payment_intent", charge["payment_intent"], account=req.account)
        return charge, pi
    if not p.get("payment_intent"):
        raise errors.invalid_request(
            "One of the following params should be provided for this request: payment_intent "
            "or charge.",
            code="parameter_missing",
        )
    pi = api.get_or_404(req, "payment_intent", p["payment_intent"], param="payment_intent")
    if pi["status"] != "succeeded" or not pi.get("latest_charge"):
        raise errors.invalid_request(
            f"This PaymentIntent ({pi['id']}) does not have a successful charge to refund.",
            param="payment_intent",
        )
    return api.get_or_404(req, "charge", pi["latest_charge"], param="payment_intent"), pi


@router.post("/v1/refunds", params=sp.RefundCreateParams)
def refund_create(req: Request) -> dict[str, Any]:
    p = req.params
    charge, pi = _charge_for(req)
    if charge["status"] != "succeeded":
        raise errors.invalid_request(
            f"Charge {charge['id']} has not succeeded and cannot be refunded.",
            param="charge",
        )
    remaining = charge["amount"] - charge["amount_refunded"]
    if remaining <= 0:
        raise errors.invalid_request(
            f"Charge {charge['id']} has already been refunded.", code="charge_already_refunded"
        )
    amount = p.get("amount", remaining)
    if amount <= 0:
        raise errors.invalid_request("Refund amount must be positive.", param="amount")
    if amount > remaining:
        raise errors.invalid_request(
            f"Refund amount ({amount}) is greater than unrefunded amount on charge ({remaining})",
            code="amount_too_large",
            param="amount",
        )
    method = charge["payment_method_details"]["type"]
    debit = method in SETTLE_DAYS
    refund = objects.build(
        "refund",
        now=req.sb.clock.now(),
        amount=amount,
        charge=charge["id"],
        currency=charge["currency"],
        metadata=dict(p.get("metadata") or {}),
        payment_intent=charge["payment_intent"],
        payment_method=charge["payment_method"],
        reason=p.get("reason"),
        status="pending" if debit else "succeeded",
        destination_details=method_details.refund_destination(method),
    )
    txn = balance_transaction(
        req.sb,
        req.account,
        -amount,
        charge["currency"],
        refund["id"],
        "refund",
        "REFUND FOR PAYMENT",
    )
    refund["balance_transaction"] = txn["id"]
    req.sb.store.insert(refund, account=req.account)
    charge["amount_refunded"] += amount
    charge["refunded"] = charge["amount_refunded"] >= charge["amount"]
    if p.get("refund_application_fee") and charge.get("application_fee"):
        _refund_fee(req, charge, amount)
    api.save(req, charge)
    previous = {"amount_refunded": charge["amount_refunded"] - amount, "refunded": False}
    api.emit(req, "refund.created", refund)
    api.emit(req, "charge.refunded", charge, previous_attributes=previous)
    if debit:
        at = req.sb.clock.now() + SETTLE_DAYS[method] * DAY
        req.sb.schedule(at, "refunds.settle", {"refund": refund["id"]})
    return refund


def _refund_fee(req: Request, charge: dict[str, Any], amount: int) -> None:
    fee = req.sb.store.get("application_fee", charge["application_fee"], account="")
    if fee is None:
        return
    share = min(fee["amount"] * amount // charge["amount"], fee["amount"] - fee["amount_refunded"])
    if share <= 0:
        return
    fee_refund = objects.build(
        "fee_refund",
        now=req.sb.clock.now(),
        amount=share,
        currency=fee["currency"],
        fee=fee["id"],
        metadata={},
    )
    txn = balance_transaction(
        req.sb,
        "",
        -share,
        fee["currency"],
        fee_refund["id"],
        "application_fee_refund",
        "Fee refund",
    )
    fee_refund["balance_transaction"] = txn["id"]
    fee["amount_refunded"] += share
    fee["refunded"] = fee["amount_refunded"] >= fee["amount"]
    fee["refunds"]["data"] = [fee_refund, *fee["refunds"]["data"]][:10]
    fee["refunds"]["total_count"] = len(fee["refunds"]["data"])
    req.sb.store.save(fee)


@router.get("/v1/refunds/{refund}", params=sp.RefundRetrieveParams)
def refund_retrieve(req: Request, refund: str) -> dict[str, Any]:
    return api.get_or_404(req, "refund", refund, param="refund")


@router.post("/v1/refunds/{refund}", params=sp.RefundUpdateParams)
def refund_update(req: Request, refund: str) -> dict[str, Any]:
    obj = api.get_or_404(req, "refund", refund, param="refund")
    if "metadata" in req.params:
        before = dict(obj["metadata"])
        obj["metadata"] = api.metadata_merge(obj["metadata"], req.params["metadata"])
        api.save(req, obj)
        if before != obj["metadata"]:
            api.emit(req, "refund.updated", obj, previous_attributes={"metadata": before})
    return obj


@router.get("/v1/refunds", params=sp.RefundListParams)
def refund_list(req: Request) -> dict[str, Any]:
    where = {k: req.params[k] for k in ("charge", "payment_intent") if req.params.get(k)}
    return api.list_page(req, "refund", "/v1/refunds", where=where)


@job("refunds.settle")
def _settle_job(sb, payload: dict[str, Any]) -> None:
    refund = sb.store.get("refund", payload["refund"])
    if refund is None or refund["status"] != "pending":
        return
    account = sb.store.owner(refund["id"]) or ""
    refund["status"] = "succeeded"
    sb.store.save(refund)
    previous = {"status": "pending"}
    sb.emit(
        "refund.updated",
        refund,
        account=account or None,
        owner=account,
        previous_attributes=previous,
    )
    sb.emit(
        "charge.refund.updated",
        refund,
        account=account or None,
        owner=account,
        previous_attributes=previous,
    )
