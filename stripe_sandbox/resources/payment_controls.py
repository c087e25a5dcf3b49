"""Control calls for payments (no browser needed):

POST /_sandbox/checkout/sessions/{cs}/pay      {"method", "outcome", "failure_code"}
POST /_sandbox/payment_intents/{pi}/settle     a processing debit succeeds now
POST /_sandbox/payment_intents/{pi}/fail       {"failure_code"} a processing debit fails now
POST /_sandbox/payment_intents/{pi}/return     {"as": "failure"|"dispute", "failure_code"|"reason"}
"""

from __future__ import annotations

from typing import Any

from stripe_sandbox import errors, objects
from stripe_sandbox.resources import debits, disputes, payment_flow
from stripe_sandbox.resources.checkout_page import success_url
from stripe_sandbox.router import Request, Router

router = Router()

_TEST_DETAILS = {
    "card": {
        "brand": "visa",
        "country": "US",
        "exp_month": 12,
        "exp_year": 2034,
        "funding": "credit",
    },
    "us_bank_account": {
        "account_holder_type": "individual",
        "account_type": "checking",
        "bank_name": "STRIPE TEST BANK",
        "routing_number": "110000000",
    },
    "bacs_debit": {"sort_code": "108800", "mandate": None},
}
_LAST4 = {
    ("card", "succeed"): "4242",
    ("card", "decline"): "0002",
    ("card", "insufficient_funds"): "9995",
    ("us_bank_account", "succeed"): "6789",
    ("us_bank_account", "fail_later"): "1113",
    ("bacs_debit", "succeed"): "2345",
    ("bacs_debit", "fail_later"): "2346",
}


@router.post("/_sandbox/checkout/sessions/{session}/pay", kind="control")
def session_pay(req: Request, session: str) -> dict[str, Any]:
    """Pay an open session as the hosted page would. card: succeed | decline |
    insufficient_funds; us_bank_account / bacs_debit: succeed | fail_later
    (processing now; settled or failed when the clock passes 4 / 3 days, or by
    the settle/fail calls). Answers the session, payment intent and charge."""
    obj = req.sb.store.get("checkout.session", session)
    if obj is None:
        raise errors.resource_missing("checkout.session", session)
    p = req.params
    method = p.get("method") or obj["payment_method_types"][0]
    outcome = p.get("outcome", "succeed")
    if obj["status"] != "open":
        raise errors.invalid_request(f"Checkout Session {session} is {obj['status']}, not open.")
    if method not in obj["payment_method_types"]:
        raise errors.invalid_request(
            f"This session does not offer {method!r}: {obj['payment_method_types']}."
        )
    if (method, outcome) not in _LAST4:
        raise errors.invalid_request(f"Outcome {outcome!r} does not apply to {method}.")
    details = {**_TEST_DETAILS[method], "last4": _LAST4[(method, outcome)]}
    code = p.get("failure_code")
    if outcome == "fail_later":
        code = code or ("account_closed" if method == "us_bank_account" else "insufficient_funds")
        if code not in payment_flow.DEBIT_FAILURES:
            raise errors.invalid_request(f"Unknown failure code {code!r}.")
    billing = {"name": p.get("name", "Sandbox Payer"), "email": p.get("email")}
    charge = payment_flow.attempt(
        req.sb,
        obj,
        method=method,
        outcome=outcome,
        pm_details=details,
        billing=billing,
        failure_code=code,
    )
    account = req.sb.store.owner(session) or ""
    pi = req.sb.store.get("payment_intent", obj["payment_intent"], account=account)
    return {
        "session": objects.public(obj),
        "payment_intent": objects.public(pi),
        "charge": objects.public(charge),
        "redirect": success_url(obj) if obj["status"] == "complete" else None,
    }


@router.post("/_sandbox/payment_intents/{intent}/settle", kind="control")
def intent_settle(req: Request, intent: str) -> dict[str, Any]:
    return objects.public(debits.settle(req.sb, _exists(req, intent)))


@router.post("/_sandbox/payment_intents/{intent}/fail", kind="control")
def intent_fail(req: Request, intent: str) -> dict[str, Any]:
    pi = _exists(req, intent)
    return objects.public(debits.fail(req.sb, pi, req.params.get("failure_code")))


@router.post("/_sandbox/payment_intents/{intent}/return", kind="control")
def intent_return(req: Request, intent: str) -> dict[str, Any]:
    """A settled debit comes back: "as": "failure" (default; charge.failed,
    the charge turns failed) or "dispute" (charge.dispute.created)."""
    pi = _exists(req, intent)
    mode = req.params.get("as", "failure")
    if mode == "dispute":
        account = req.sb.store.owner(pi) or ""
        obj = req.sb.store.get("payment_intent", pi, account=account)
        charge = req.sb.store.get("charge", obj.get("latest_charge") or "", account=account)
        method = (charge or {}).get("payment_method_details", {}).get("type")
        if method not in payment_flow.DEBITS:
            raise errors.invalid_request("Only a bank debit can be returned.")
        return objects.public(
            disputes.open_dispute(
                req.sb, charge["id"], reason=req.params.get("reason", "debit_not_authorized")
            )
        )
    if mode != "failure":
        raise errors.invalid_request('"as" is "failure" or "dispute".')
    code = req.params.get("failure_code", "insufficient_funds")
    return objects.public(debits.return_debit(req.sb, pi, code))


def _exists(req: Request, intent: str) -> str:
    if req.sb.store.get("payment_intent", intent) is None:
        raise errors.resource_missing("payment_intent", intent)
    return intent
