"""Automatic payouts: what Stripe does every day on an account whose payout schedule is
not manual. Each balance transaction of a connected account books a sweep for the day
after it becomes available; the sweep pays out, in one automatic payout per currency,
every available transaction not yet paid out (payments net of fees, refunds, disputes,
failed payouts returned), and remembers which payout took each one, so
`GET /v1/balance_transactions?payout=po_…` lists a payout's contents as Stripe does.

    POST /_sandbox/accounts/{acct}/payouts/sweep  {"currency"}   pay out what is available now
"""

from __future__ import annotations

from typing import Any

from stripe_sandbox import errors, objects
from stripe_sandbox.resources import payouts
from stripe_sandbox.resources.payment_flow import DAY
from stripe_sandbox.router import Request, Router
from stripe_sandbox.scheduler import job

router = Router()

PAYOUT_FIELD = f"{objects.PRIVATE}.payout"
# Transactions a sweep never takes: the payouts' own.
NOT_SWEPT = ("payout",)


def _interval(sb, account_id: str) -> str:
    account = sb.store.get("account", account_id) or {}
    schedule = (((account.get("settings") or {}).get("payouts") or {}).get("schedule")) or {}
    return schedule.get("interval") or "daily"


def book(sb, txn: dict[str, Any], account_id: str) -> None:
    """Called for each new balance transaction: a sweep at the start of the day after the
    money becomes available (once per account, currency and day)."""
    if not account_id or txn["type"] in NOT_SWEPT:
        return
    day = int(txn["available_on"] // DAY) + 1
    key = f"payout_sweep:{account_id}:{txn['currency']}:{day}"
    if sb.store.state_get(key):
        return
    sb.store.state_set(key, True)
    sb.schedule(day * DAY, "payouts.sweep", {"account": account_id, "currency": txn["currency"]})


def available(sb, account_id: str, currency: str) -> list[dict[str, Any]]:
    now = sb.clock.now()
    return [
        txn
        for txn in sb.store.all("balance_transaction", account=account_id)
        if txn["currency"] == currency
        and txn["type"] not in NOT_SWEPT
        and txn["available_on"] <= now
        and not objects.private(txn).get("payout")
    ]


def sweep(sb, account_id: str, currency: str) -> dict[str, Any] | None:
    """One automatic payout of everything available in `currency`; None when the
    available balance is not positive (Stripe carries a negative one forward)."""
    with sb.store.lock:
        txns = available(sb, account_id, currency)
        net = sum(txn["net"] for txn in txns)
        if net <= 0:
            return None
        payout = payouts.create(sb, account_id, net, currency, automatic=True)
        for txn in txns:
            objects.private(txn)["payout"] = payout["id"]
            txn["status"] = "available"
            sb.store.save(txn)
        own = sb.store.get("balance_transaction", payout["balance_transaction"])
        objects.private(own)["payout"] = payout["id"]
        sb.store.save(own)
    sb.schedule(payout["arrival_date"], "payouts.arrive", {"payout": payout["id"]})
    return payout


@job("payouts.sweep")
def _sweep(sb, payload: dict[str, Any]) -> None:
    if _interval(sb, payload["account"]) != "manual":
        sweep(sb, payload["account"], payload["currency"])


@router.post("/_sandbox/accounts/{account}/payouts/sweep", kind="control")
def control_sweep(req: Request, account: str) -> dict[str, Any]:
    acct = req.sb.store.get("account", account)
    if acct is None:
        raise errors.resource_missing("account", account)
    currency = (req.params.get("currency") or acct.get("default_currency") or "usd").lower()
    payout = sweep(req.sb, account, currency)
    if payout is None:
        raise errors.invalid_request(f"No available {currency.upper()} balance to pay out.")
    return objects.public(payout)
