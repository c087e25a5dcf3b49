"""Bank debits after the payment: settling or failing a `processing` debit
(scheduled at 4 days for ACH, 3 for Bacs, or by a control call) and the
return of a settled one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stripe_sandbox import errors, objects
from stripe_sandbox.resources.payment_flow import (
    DEBIT_FAILURES,
    DEBITS,
    balance_transaction,
    book_success,
    emit,
    fail_charge,
    fail_intent,
    load,
    owner,
)
from stripe_sandbox.scheduler import job

if TYPE_CHECKING:
    from stripe_sandbox.sandbox import Sandbox


def _debit(sb: Sandbox, pi_id: str) -> tuple[str, dict, dict, dict, dict | None]:
    account = owner(sb, pi_id)
    pi = load(sb, "payment_intent", pi_id, account)
    charge = load(sb, "charge", pi["latest_charge"], account) if pi.get("latest_charge") else None
    if pi["status"] != "processing" or charge is None:
        raise errors.invalid_request(
            f"PaymentIntent {pi_id} is {pi['status']}: only a processing bank debit can be "
            "settled or failed."
        )
    pm = load(sb, "payment_method", charge["payment_method"], account)
    session_id = objects.private(pi).get("session")
    session = sb.store.get("checkout.session", session_id) if session_id else None
    return account, pi, charge, pm, session


def settle(sb: Sandbox, pi_id: str) -> dict[str, Any]:
    """A processing debit succeeds: charge.succeeded, payment_intent.succeeded,
    checkout.session.async_payment_succeeded."""
    account, pi, charge, pm, session = _debit(sb, pi_id)
    book_success(sb, account, pi, charge, pm["type"])
    emit(sb, "charge.succeeded", charge, account)
    emit(sb, "payment_intent.succeeded", pi, account)
    if session is not None:
        session["payment_status"] = "paid"
        sb.store.save(session)
        emit(sb, "checkout.session.async_payment_succeeded", session, account)
    return pi


def fail(sb: Sandbox, pi_id: str, code: str | None = None) -> dict[str, Any]:
    """A processing debit fails: charge.failed, payment_intent.payment_failed,
    checkout.session.async_payment_failed."""
    account, pi, charge, pm, session = _debit(sb, pi_id)
    code = code or objects.private(pm).get("failure_code") or "insufficient_funds"
    if code not in DEBIT_FAILURES:
        raise errors.invalid_request(
            f"Unknown failure code {code!r}; use one of {', '.join(sorted(DEBIT_FAILURES))}."
        )
    fail_charge(charge, code, DEBIT_FAILURES[code], outcome="invalid", decline=code)
    sb.store.save(charge)
    fail_intent(pi, charge, pm)
    sb.store.save(pi)
    emit(sb, "charge.failed", charge, account)
    emit(sb, "payment_intent.payment_failed", pi, account)
    if session is not None:
        emit(sb, "checkout.session.async_payment_failed", session, account)
    return pi


def return_debit(sb: Sandbox, pi_id: str, code: str = "insufficient_funds") -> dict[str, Any]:
    """A settled debit comes back from the bank: the charge turns `failed`
    (charge.failed), its amount leaves the balance (payment_failure_refund)."""
    account = owner(sb, pi_id)
    pi = load(sb, "payment_intent", pi_id, account)
    charge = load(sb, "charge", pi["latest_charge"], account) if pi.get("latest_charge") else None
    method = (charge or {}).get("payment_method_details", {}).get("type")
    if pi["status"] != "succeeded" or charge is None or method not in DEBITS:
        raise errors.invalid_request("Only a succeeded bank debit can be returned.")
    if code not in DEBIT_FAILURES:
        raise errors.invalid_request(f"Unknown failure code {code!r}.")
    remaining = charge["amount"] - charge["amount_refunded"]
    txn = balance_transaction(
        sb,
        account,
        -remaining,
        charge["currency"],
        charge["id"],
        "payment_failure_refund",
        "Bank debit returned",
    )
    fail_charge(charge, code, DEBIT_FAILURES[code], outcome="invalid", decline=code)
    charge["failure_balance_transaction"] = txn["id"]
    sb.store.save(charge)
    emit(sb, "charge.failed", charge, account)
    return charge


def _still_processing(sb: Sandbox, pi_id: str) -> bool:
    """Jobs find debits a control call already settled or failed: nothing to do."""
    pi = sb.store.get("payment_intent", pi_id)
    return pi is not None and pi["status"] == "processing"


@job("payments.debit_settle")
def _settle_job(sb: Sandbox, payload: dict[str, Any]) -> None:
    if _still_processing(sb, payload["payment_intent"]):
        settle(sb, payload["payment_intent"])


@job("payments.debit_fail")
def _fail_job(sb: Sandbox, payload: dict[str, Any]) -> None:
    if _still_processing(sb, payload["payment_intent"]):
        fail(sb, payload["payment_intent"])
