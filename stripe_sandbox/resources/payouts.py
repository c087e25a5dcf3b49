"""Payouts on a connected account: /v1/payouts create (pending, paid when
the sandbox clock reaches `arrival_date`), retrieve, list; control calls
make one paid or failed.

    POST /_sandbox/accounts/{acct}/payouts  {"amount", "currency", "outcome": "paid"|"failed"|"pending", "failure_code"}
    POST /_sandbox/payouts/{po}/outcome     {"outcome": "paid"|"failed", "failure_code"}
"""

from __future__ import annotations

from typing import Any

import stripe.params as sp

from stripe_sandbox import api, errors, objects
from stripe_sandbox.resources.dashboard import register_section
from stripe_sandbox.resources.payment_flow import DAY, balance_transaction
from stripe_sandbox.router import Request, Router
from stripe_sandbox.scheduler import job

router = Router()
register_section("payout", "Payouts", ["id", "amount", "currency", "status", "failure_code"])

FAILURES = {
    "account_closed": "The bank account has been closed.",
    "account_frozen": "The bank account has been frozen.",
    "bank_account_restricted": "The bank account has restrictions on payouts.",
    "could_not_process": "The bank could not process this payout.",
    "insufficient_funds": "Your Stripe balance is insufficient to cover the payout.",
    "invalid_account_number": "The routing number seems correct, but the account number is invalid.",
    "no_account": "The bank account details on file are probably incorrect.",
}


def _destination(account: dict[str, Any] | None) -> str | None:
    banks = ((account or {}).get("external_accounts") or {}).get("data") or []
    return banks[0]["id"] if banks else None


def create(sb, account_id: str, amount: int, currency: str, **extra: Any) -> dict[str, Any]:
    now = sb.clock.now()
    account = sb.store.get("account", account_id) if account_id else None
    payout = objects.build(
        "payout",
        now=now,
        amount=amount,
        arrival_date=now + 2 * DAY,
        automatic=bool(extra.get("automatic")),
        currency=currency.lower(),
        description=extra.get("description"),
        destination=_destination(account),
        metadata=dict(extra.get("metadata") or {}),
        method=extra.get("method") or "standard",
        reconciliation_status="not_applicable",
        source_type="card",
        statement_descriptor=extra.get("statement_descriptor"),
        status="pending",
        type="bank_account",
    )
    txn = balance_transaction(
        sb, account_id, -amount, payout["currency"], payout["id"], "payout", "STRIPE PAYOUT"
    )
    payout["balance_transaction"] = txn["id"]
    sb.store.insert(payout, account=account_id)
    sb.emit("payout.created", payout, account=account_id or None, owner=account_id)
    return payout


def settle(sb, payout: dict[str, Any], outcome: str, code: str | None = None) -> dict[str, Any]:
    if payout["status"] not in ("pending", "in_transit"):
        raise errors.invalid_request(f"Payout {payout['id']} is already {payout['status']}.")
    account = sb.store.owner(payout["id"]) or ""
    previous = {"status": payout["status"]}
    if outcome == "paid":
        payout["status"] = "paid"
    elif outcome == "failed":
        code = code or "could_not_process"
        if code not in FAILURES:
            raise errors.invalid_request(
                f"Unknown payout failure code {code!r}; use one of {', '.join(sorted(FAILURES))}."
            )
        txn = balance_transaction(
            sb,
            account,
            payout["amount"],
            payout["currency"],
            payout["id"],
            "payout_failure",
            "Payout failure",
        )
        payout.update(
            status="failed",
            failure_code=code,
            failure_message=FAILURES[code],
            failure_balance_transaction=txn["id"],
        )
    else:
        raise errors.invalid_request('A payout ends "paid" or "failed".')
    sb.store.save(payout)
    sb.emit(
        f"payout.{outcome}",
        payout,
        account=account or None,
        owner=account,
        previous_attributes=previous,
    )
    return payout


@router.post("/v1/payouts", params=sp.PayoutCreateParams)
def payout_create(req: Request) -> dict[str, Any]:
    p = req.params
    if p["amount"] <= 0:
        raise errors.invalid_request("Payout amount must be positive.", param="amount")
    extra = {k: v for k, v in p.items() if k not in ("amount", "currency")}
    payout = create(req.sb, req.account, p["amount"], p["currency"], **extra)
    req.sb.schedule(payout["arrival_date"], "payouts.arrive", {"payout": payout["id"]})
    return payout


@router.get("/v1/payouts/{payout}", params=sp.PayoutRetrieveParams)
def payout_retrieve(req: Request, payout: str) -> dict[str, Any]:
    return api.get_or_404(req, "payout", payout, param="payout")


@router.get("/v1/payouts", params=sp.PayoutListParams)
def payout_list(req: Request) -> dict[str, Any]:
    where = {k: req.params[k] for k in ("status", "destination") if req.params.get(k)}
    return api.list_page(req, "payout", "/v1/payouts", where=where)


@job("payouts.arrive")
def _arrive(sb, payload: dict[str, Any]) -> None:
    payout = sb.store.get("payout", payload["payout"])
    if payout is not None and payout["status"] == "pending":
        settle(sb, payout, "paid")


@router.post("/_sandbox/accounts/{account}/payouts", kind="control")
def control_create(req: Request, account: str) -> dict[str, Any]:
    p = req.params
    if req.sb.store.get("account", account) is None:
        raise errors.resource_missing("account", account)
    try:
        amount = int(p.get("amount", 1000))
    except (TypeError, ValueError):
        raise errors.invalid_request("amount must be an integer.") from None
    acct = req.sb.store.get("account", account)
    payout = create(req.sb, account, amount, p.get("currency") or acct["default_currency"])
    outcome = p.get("outcome", "paid")
    if outcome == "pending":
        req.sb.schedule(payout["arrival_date"], "payouts.arrive", {"payout": payout["id"]})
    else:
        settle(req.sb, payout, outcome, p.get("failure_code"))
    return objects.public(payout)


@router.post("/_sandbox/payouts/{payout}/outcome", kind="control")
def control_outcome(req: Request, payout: str) -> dict[str, Any]:
    obj = req.sb.store.get("payout", payout)
    if obj is None:
        raise errors.resource_missing("payout", payout)
    return objects.public(
        settle(req.sb, obj, req.params.get("outcome", "paid"), req.params.get("failure_code"))
    )
