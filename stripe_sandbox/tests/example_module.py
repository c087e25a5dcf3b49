"""A resource module written the way checkout/payments modules are: it
proves the extension API (routes, params, errors, events, jobs, controls,
dashboard) from the outside. Loaded only by test_extension.py."""

from __future__ import annotations

from typing import Any

import stripe.params as sp

from stripe_sandbox import api, errors
from stripe_sandbox.resources.dashboard import register_section
from stripe_sandbox.router import Request, Router
from stripe_sandbox.scheduler import job

router = Router()
register_section("payout", "Payouts (example)", ["id", "amount", "currency", "status"])


@router.post("/v1/payouts", params=sp.PayoutCreateParams)
def payout_create(req: Request) -> dict[str, Any]:
    if req.params["amount"] == 666:
        raise errors.card_error(
            "Your card was declined.", code="card_declined", decline_code="generic_decline"
        )
    payout = api.create(
        req,
        "payout",
        amount=req.params["amount"],
        currency=req.params["currency"],
        status="pending",
    )
    api.emit(req, "payout.created", payout)
    req.sb.schedule(req.sb.clock.now() + 86400, "example.payout_paid", {"payout": payout["id"]})
    return payout


@router.get("/v1/payouts/{payout}", params=sp.PayoutRetrieveParams)
def payout_retrieve(req: Request, payout: str) -> dict[str, Any]:
    return api.get_or_404(req, "payout", payout)


@job("example.payout_paid")
def payout_paid(sb, payload: dict[str, Any]) -> None:
    payout = sb.store.get("payout", payload["payout"])
    payout["status"] = "paid"
    sb.store.save(payout)
    sb.emit(
        "payout.paid",
        payout,
        account=sb.store.owner(payout["id"]),
        previous_attributes={"status": "pending"},
    )


@router.post("/_sandbox/payouts/{payout}/fail", kind="control")
def payout_fail(req: Request, payout: str) -> dict[str, Any]:
    obj = req.sb.store.get("payout", payout)
    obj["status"] = "failed"
    req.sb.store.save(obj)
    req.sb.emit("payout.failed", obj, account=req.sb.store.owner(payout))
    return obj
