"""Checkout in `mode=setup`: the session, its SetupIntent, and what saving a
method does (a PaymentMethod attached to the session's Customer, a
multi-use Mandate for ACH and Bacs), from the hosted page or the control
`/_sandbox/checkout/sessions/{cs}/setup`."""

from __future__ import annotations

from typing import Any

from stripe_sandbox import errors, ids, objects
from stripe_sandbox.resources import payment_flow
from stripe_sandbox.resources.payment_flow import DAY
from stripe_sandbox.router import Request, Router

router = Router()

# What an off-session charge on a saved card does, by the card's number.
CARD_CHARGE_OUTCOMES = (
    "succeed",
    "decline",
    "insufficient_funds",
    "authentication_required",
    "expired_card",
)
SETUP_CARDS = {
    "4242424242424242": "succeed",
    "5555555555554444": "succeed",
    "4000000000000341": "decline",  # attaches; every charge is declined
    "4000000000009995": "insufficient_funds",
    "4000002760003184": "authentication_required",  # every charge needs the cardholder
    "4000000000000069": "expired_card",
}
SETUP_DECLINED = "4000000000000002"  # the setup itself is declined


def session_create(
    req: Request, session_fields: dict[str, Any], methods: list[str]
) -> dict[str, Any]:
    """A setup-mode session: its SetupIntent exists from the start (usage off_session)."""
    p = req.params
    customer = p.get("customer")
    if not customer:
        raise errors.invalid_request(
            "The sandbox needs `customer` for a Checkout Session in `setup` mode.",
            code="parameter_missing",
            param="customer",
        )
    customer_obj = req.sb.store.get("customer", customer, account=req.account)
    if customer_obj is None:
        raise errors.resource_missing("customer", customer, param="customer")
    data = p.get("setup_intent_data") or {}
    seti = objects.build(
        "setup_intent",
        now=req.sb.clock.now(),
        customer=customer,
        description=data.get("description"),
        metadata=dict(data.get("metadata") or {}),
        payment_method_types=list(methods),
        status="requires_payment_method",
        usage="off_session",
        flow_directions=None,
        payment_method_options=None,
        payment_method_configuration_details=None,
        last_setup_error=None,
        next_action=None,
        automatic_payment_methods=None,
        application=req.sb.config.client_id if req.account else None,
    )
    seti["client_secret"] = f"{seti['id']}_secret_{ids.random_token(25)}"
    req.sb.store.insert(seti, account=req.account)
    req.sb.emit("setup_intent.created", seti, account=req.account or None, owner=req.account)
    session_fields.update(
        mode="setup",
        customer=customer,
        setup_intent=seti["id"],
        payment_status="no_payment_required",
        amount_subtotal=None,
        amount_total=None,
        currency=p.get("currency"),
        payment_method_collection="always",
    )
    if not session_fields.get("customer_email"):
        # The hosted page prefills the customer's email, as Stripe's does.
        session_fields["customer_email"] = customer_obj.get("email")
    return session_fields


def complete(
    sb,
    session: dict[str, Any],
    *,
    method: str,
    charge_outcome: str,
    pm_details: dict[str, Any],
    billing: dict[str, Any],
    failure_code: str | None = None,
    declined: bool = False,
) -> dict[str, Any]:
    """Save the method on the session's customer. Returns the SetupIntent
    (`requires_payment_method` with `last_setup_error` when declined)."""
    account = payment_flow.owner(sb, session["id"])
    seti = payment_flow.load(sb, "setup_intent", session["setup_intent"], account)
    pm = payment_flow.payment_method_create(sb, account, method, pm_details, billing)
    if declined:
        seti["last_setup_error"] = objects.part(
            "setup_intent",
            "last_setup_error",
            type="card_error",
            code="card_declined",
            decline_code="generic_decline",
            message="Your card was declined.",
            payment_method=objects.public(pm),
            doc_url="https://stripe.com/docs/error-codes/card-declined",
        )
        sb.store.save(seti)
        payment_flow.emit(sb, "setup_intent.setup_failed", seti, account)
        return seti
    objects.private(pm).update(charge=charge_outcome, failure_code=failure_code)
    pm["customer"] = session["customer"]
    if method in payment_flow.DEBITS:
        mandate = mandate_create(sb, account, pm)
        seti["mandate"] = mandate["id"]
        objects.private(pm)["mandate"] = mandate["id"]
    sb.store.save(pm)
    seti.update(status="succeeded", payment_method=pm["id"], last_setup_error=None)
    seti["payment_method_types"] = [method]
    sb.store.save(seti)
    session.update(status="complete", url=None)
    session["customer_details"] = payment_flow.customer_details(billing, session)
    sb.store.save(session)
    payment_flow.emit(sb, "payment_method.attached", pm, account)
    payment_flow.emit(sb, "setup_intent.succeeded", seti, account)
    payment_flow.emit(sb, "checkout.session.completed", session, account)
    return seti


def mandate_create(sb, account: str, pm: dict[str, Any]) -> dict[str, Any]:
    method = pm["type"]
    mandate = objects.build(
        "mandate",
        payment_method=pm["id"],
        status="active",
        type="multi_use",
        multi_use={},
        customer_acceptance={
            "accepted_at": sb.clock.now(),
            "offline": None,
            "online": {"ip_address": "127.0.0.1", "user_agent": "Stripe sandbox hosted page"},
            "type": "online",
        },
    )
    details: dict[str, Any] = {"type": method}
    if method == "bacs_debit":
        details["bacs_debit"] = {
            "display_name": None,
            "network_status": "accepted",
            "reference": "FIRMPAY-" + ids.random_token(10).upper(),
            "revocation_reason": None,
            "service_user_number": "000000",
            "url": sb.url(f"/mandates/{mandate['id']}"),
        }
    else:
        details["us_bank_account"] = {"collection_method": None}
    mandate["payment_method_details"] = details
    mandate.pop("created", None)
    return sb.store.insert(mandate, account=account)


_SETUP_LAST4 = {
    ("card", "succeed"): ("4242", None),
    ("card", "decline"): ("0341", None),
    ("card", "insufficient_funds"): ("9995", None),
    ("card", "authentication_required"): ("3184", None),
    ("card", "expired_card"): ("0069", None),
    ("us_bank_account", "succeed"): ("6789", None),
    ("us_bank_account", "fail_later"): ("1113", "account_closed"),
    ("bacs_debit", "succeed"): ("2345", None),
    ("bacs_debit", "fail_later"): ("2346", "insufficient_funds"),
}


@router.post("/_sandbox/checkout/sessions/{session}/setup", kind="control")
def session_setup(req: Request, session: str) -> dict[str, Any]:
    """Save a method on an open setup session as the hosted page would.
    outcome, card: succeed | decline | insufficient_funds |
    authentication_required | expired_card (what later off-session charges do)
    or setup_failed; debits: succeed | fail_later (charges fail with
    `failure_code`). Answers {"session", "setup_intent", "payment_method", "mandate"}."""
    from stripe_sandbox.resources.payment_controls import _TEST_DETAILS

    obj = req.sb.store.get("checkout.session", session)
    if obj is None or obj.get("mode") != "setup":
        raise errors.invalid_request(f"{session} is not a setup-mode Checkout Session.")
    if obj["status"] != "open":
        raise errors.invalid_request(f"Checkout Session {session} is {obj['status']}, not open.")
    p = req.params
    method = p.get("method") or obj["payment_method_types"][0]
    outcome = p.get("outcome", "succeed")
    if method not in obj["payment_method_types"]:
        raise errors.invalid_request(f"This session does not offer {method!r}.")
    declined = method == "card" and outcome == "setup_failed"
    key = (method, "succeed" if declined else outcome)
    if key not in _SETUP_LAST4:
        raise errors.invalid_request(f"Outcome {outcome!r} does not apply to {method}.")
    last4, code = _SETUP_LAST4[key]
    details = {**_TEST_DETAILS[method], "last4": last4}
    seti = complete(
        req.sb,
        obj,
        method=method,
        charge_outcome=key[1] if method == "card" else "succeed",
        pm_details=details,
        billing={"name": p.get("name", "Sandbox Payer"), "email": p.get("email")},
        failure_code=p.get("failure_code") or code,
        declined=declined,
    )
    account = req.sb.store.owner(session) or ""
    pm = (
        req.sb.store.get("payment_method", seti["payment_method"], account=account)
        if seti["payment_method"]
        else None
    )
    mandate = (
        req.sb.store.get("mandate", seti["mandate"], account=account) if seti["mandate"] else None
    )
    return {
        "session": objects.public(obj),
        "setup_intent": objects.public(seti),
        "payment_method": objects.public(pm) if pm else None,
        "mandate": objects.public(mandate) if mandate else None,
    }


__all__ = ["DAY", "session_create", "complete", "CARD_CHARGE_OUTCOMES", "SETUP_CARDS"]
