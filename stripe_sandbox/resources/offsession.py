"""Off-session PaymentIntents: `POST /v1/payment_intents` with
`confirm=true, off_session=true`, a customer and a payment method saved on
it. A card succeeds or is declined at once (402 with the PaymentIntent in
the error, as Stripe answers, and kept: a replay of the key answers the
same); a bank debit needs its mandate active and is `processing` until the
clock (or a control call) settles or fails it."""

from __future__ import annotations

from typing import Any

import stripe.params as sp

from stripe_sandbox import errors, objects
from stripe_sandbox.resources import payment_flow
from stripe_sandbox.resources.payment_flow import (
    CARD_FAILURES,
    DAY,
    SETTLE_DAYS,
    book_success,
    fail_charge,
    fail_intent,
    new_charge,
)
from stripe_sandbox.router import Request, Response, Router

router = Router()

# Card charge outcomes beyond CARD_FAILURES: (failure code, decline code, message).
MORE_CARD_FAILURES = {
    "expired_card": ("expired_card", "expired_card", "Your card has expired."),
}
AUTH_MESSAGE = "Your card was declined. This transaction requires authentication."


def _check(req: Request) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any] | None]:
    p = req.params
    if not p.get("confirm") or not p.get("off_session"):
        raise errors.invalid_request(
            "The sandbox creates PaymentIntents only with `confirm=true` and `off_session=true` "
            "(on-session payments go through Checkout).",
            param="confirm",
        )
    for name in ("customer", "payment_method"):
        if not p.get(name):
            raise errors.invalid_request(
                f"Missing required param: {name}.", code="parameter_missing", param=name
            )
    customer = req.sb.store.get("customer", p["customer"], account=req.account)
    if customer is None:
        raise errors.resource_missing("customer", p["customer"], param="customer")
    pm = req.sb.store.get("payment_method", p["payment_method"], account=req.account)
    if pm is None:
        raise errors.resource_missing("payment_method", p["payment_method"], param="payment_method")
    if pm.get("customer") != customer["id"]:
        raise errors.invalid_request(
            "The provided PaymentMethod was previously used with a PaymentIntent without "
            "Customer attachment, shared with a connected account without Customer attachment, "
            "or was detached from a Customer. It may not be used again.",
            code="payment_method_unexpected_state",
            param="payment_method",
        )
    fee = p.get("application_fee_amount")
    if fee is not None and (req.is_platform or not 0 <= fee <= p["amount"]):
        raise errors.invalid_request(
            "The application fee must be between 0 and the amount, on a connected account.",
            param="application_fee_amount",
        )
    mandate = None
    if pm["type"] in payment_flow.DEBITS:
        mandate_id = p.get("mandate") or objects.private(pm).get("mandate")
        mandate = (
            req.sb.store.get("mandate", mandate_id, account=req.account) if mandate_id else None
        )
        if mandate is None or mandate["status"] != "active":
            raise errors.invalid_request(
                "The mandate for this PaymentMethod is inactive: it was revoked or the "
                "PaymentMethod was detached. Collect a new mandate from the customer.",
                code="payment_intent_mandate_invalid",
                param="mandate",
            )
    return customer, pm, mandate


@router.post("/v1/payment_intents", params=sp.PaymentIntentCreateParams)
def payment_intent_create(req: Request) -> Any:
    customer, pm, mandate = _check(req)
    p, sb, account = req.params, req.sb, req.account
    now = sb.clock.now()
    pi = objects.build(
        "payment_intent",
        now=now,
        amount=p["amount"],
        amount_capturable=0,
        amount_received=0,
        application_fee_amount=p.get("application_fee_amount"),
        capture_method="automatic_async",
        confirmation_method="automatic",
        currency=p["currency"].lower(),
        customer=customer["id"],
        description=p.get("description"),
        metadata=dict(p.get("metadata") or {}),
        payment_method=pm["id"],
        payment_method_types=[pm["type"]],
        receipt_email=p.get("receipt_email"),
        statement_descriptor=p.get("statement_descriptor"),
        status="requires_confirmation",
    )
    sb.store.insert(pi, account=account)
    payment_flow.emit(sb, "payment_intent.created", pi, account)
    if pm["type"] == "card":
        return _card(req, pi, pm)
    return _debit(req, pi, pm, mandate)


def _card(req: Request, pi: dict[str, Any], pm: dict[str, Any]) -> Any:
    sb, account, now = req.sb, req.account, req.sb.clock.now()
    outcome = objects.private(pm).get("charge") or "succeed"
    if outcome == "authentication_required":
        pi["status"] = "requires_payment_method"
        pi["last_payment_error"] = {
            "type": "card_error",
            "code": "authentication_required",
            "decline_code": "authentication_required",
            "message": AUTH_MESSAGE,
            "charge": None,
            "payment_method": objects.public(pm),
            "doc_url": "https://stripe.com/docs/error-codes/authentication-required",
        }
        sb.store.save(pi)
        payment_flow.emit(sb, "payment_intent.payment_failed", pi, account)
        return _declined(pi)
    charge = new_charge(sb, account, pi, pm, now)
    pi["latest_charge"] = charge["id"]
    if outcome in CARD_FAILURES or outcome in MORE_CARD_FAILURES:
        code, decline, message = {**CARD_FAILURES, **MORE_CARD_FAILURES}[outcome]
        fail_charge(charge, code, message, outcome="issuer_declined", decline=decline)
        sb.store.insert(charge, account=account)
        fail_intent(pi, charge, pm)
        sb.store.save(pi)
        payment_flow.emit(sb, "charge.failed", charge, account)
        payment_flow.emit(sb, "payment_intent.payment_failed", pi, account)
        return _declined(pi)
    from stripe_sandbox.resources import method_details

    charge["outcome"] = method_details.outcome(
        network_status="approved_by_network",
        type="authorized",
        reason=None,
        message="Payment complete.",
        card=True,
    )
    sb.store.insert(charge, account=account)
    book_success(sb, account, pi, charge, "card")
    payment_flow.emit(sb, "charge.succeeded", charge, account)
    payment_flow.emit(sb, "payment_intent.succeeded", pi, account)
    return pi


def _declined(pi: dict[str, Any]) -> Response:
    """Stripe's answer to a declined confirm: 402, the intent inside the error."""
    error = dict(pi["last_payment_error"])
    error["payment_intent"] = objects.public(pi)
    return Response.json({"error": error}, status=402)


def _debit(req: Request, pi: dict[str, Any], pm: dict[str, Any], mandate: dict[str, Any]) -> Any:
    from stripe_sandbox.resources import method_details

    sb, account, now = req.sb, req.account, req.sb.clock.now()
    charge = new_charge(sb, account, pi, pm, now)
    charge["payment_method_details"][pm["type"]]["mandate"] = mandate["id"]
    charge["status"] = "pending"
    charge["outcome"] = method_details.outcome(
        network_status="approved_by_network",
        type="authorized",
        reason=None,
        message="Payment complete.",
        card=False,
    )
    sb.store.insert(charge, account=account)
    pi.update(status="processing", latest_charge=charge["id"])
    sb.store.save(pi)
    payment_flow.emit(sb, "charge.pending", charge, account)
    payment_flow.emit(sb, "payment_intent.processing", pi, account)
    fails = bool(objects.private(pm).get("failure_code"))
    job_name = "payments.debit_fail" if fails else "payments.debit_settle"
    sb.schedule(now + SETTLE_DAYS[pm["type"]] * DAY, job_name, {"payment_intent": pi["id"]})
    return pi
