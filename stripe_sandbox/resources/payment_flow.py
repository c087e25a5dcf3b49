"""What a payment does, as Stripe would, on the connected account: the
PaymentIntent, its Charge, the BalanceTransaction, the platform's
ApplicationFee, and the events, for cards (at once) and bank debits
(`processing` until `debits` settles or fails them, by a job on the sandbox
clock or a control call).

Shared by the hosted checkout page, the control API and the jobs; every
function takes the `Sandbox` and works inside the caller's transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stripe_sandbox import errors, ids, objects
from stripe_sandbox.resources import method_details

if TYPE_CHECKING:
    from stripe_sandbox.sandbox import Sandbox

DAY = 86400
# Days a debit takes to settle (ACH ~4 business days, Bacs 3).
SETTLE_DAYS = {"us_bank_account": 4, "bacs_debit": 3}
DEBITS = frozenset(SETTLE_DAYS)
METHODS = ("card", "us_bank_account", "bacs_debit")

# Card outcomes: (charge failure_code, decline_code, message).
CARD_FAILURES = {
    "decline": ("card_declined", "generic_decline", "Your card was declined."),
    "insufficient_funds": (
        "card_declined",
        "insufficient_funds",
        "Your card has insufficient funds.",
    ),
}
# Bank debit failures: code -> message.
DEBIT_FAILURES = {
    "insufficient_funds": "The customer's account has insufficient funds to cover this payment.",
    "account_closed": "The customer's bank account has been closed.",
    "no_account": "The customer's bank account could not be located.",
    "debit_not_authorized": "The customer notified their bank that this payment was unauthorized.",
}


def owner(sb: Sandbox, object_id: str) -> str:
    return sb.store.owner(object_id) or ""


def load(sb: Sandbox, kind: str, object_id: str, account: str) -> dict[str, Any]:
    obj = sb.store.get(kind, object_id, account=account)
    if obj is None:
        raise errors.resource_missing(kind, object_id)
    return obj


# Stripe's standard pricing per method and country (the currency tells which here):
# (basis points, fixed minor units, cap or None). US cards 2.9% + 30¢, UK cards 1.5% + 20p,
# ACH Direct Debit 0.8% capped at $5, Bacs Direct Debit 1% + 20p capped at £2.
FEES = {
    ("card", "usd"): (290, 30, None),
    ("card", "gbp"): (150, 20, None),
    ("us_bank_account", "usd"): (80, 0, 500),
    ("bacs_debit", "gbp"): (100, 20, 200),
}
OTHER_CARD_FEE = (290, 30, None)


def stripe_fee(method: str, amount: int, currency: str = "usd") -> int:
    """Integer arithmetic, half up, as Stripe rounds to the minor unit."""
    bps, fixed, cap = FEES.get((method, currency.lower()), OTHER_CARD_FEE)
    fee = (amount * bps + 5_000) // 10_000 + fixed
    return min(fee, cap) if cap is not None else fee


def emit(sb: Sandbox, type: str, obj: dict[str, Any], account: str, **kw: Any) -> None:
    sb.emit(type, obj, account=account or None, owner=account, **kw)


def payment_method_create(
    sb: Sandbox, account: str, method: str, details: dict[str, Any], billing: dict[str, Any]
) -> dict[str, Any]:
    pm = objects.build(
        "payment_method",
        now=sb.clock.now(),
        type=method,
        billing_details={
            "address": None,
            "email": billing.get("email"),
            "name": billing.get("name"),
            "phone": None,
            "tax_id": None,
        },
        allow_redisplay="unspecified",
    )
    pm["card"] = None
    pm[method] = method_details.payment_method_hash(method, details)
    return sb.store.insert(pm, account=account)


def intent_for(sb: Sandbox, session: dict[str, Any], account: str, method: str) -> dict[str, Any]:
    """The session's PaymentIntent, created at the first payment attempt."""
    if session.get("payment_intent"):
        return load(sb, "payment_intent", session["payment_intent"], account)
    data = objects.private(session).get("payment_intent_data") or {}
    pi = objects.build(
        "payment_intent",
        now=sb.clock.now(),
        amount=session["amount_total"],
        amount_capturable=0,
        amount_received=0,
        application_fee_amount=data.get("application_fee_amount"),
        capture_method="automatic_async",
        confirmation_method="automatic",
        currency=session["currency"],
        description=data.get("description"),
        metadata=dict(data.get("metadata") or {}),
        payment_method_types=list(session["payment_method_types"]),
        receipt_email=data.get("receipt_email") or session.get("customer_email"),
        statement_descriptor=data.get("statement_descriptor"),
        status="requires_payment_method",
    )
    objects.private(pi)["session"] = session["id"]
    sb.store.insert(pi, account=account)
    session["payment_intent"] = pi["id"]
    emit(sb, "payment_intent.created", pi, account)
    return pi


def attempt(
    sb: Sandbox,
    session: dict[str, Any],
    *,
    method: str,
    outcome: str,
    pm_details: dict[str, Any],
    billing: dict[str, Any],
    failure_code: str | None = None,
) -> dict[str, Any]:
    """Pay `session` with `method`. outcome: succeed | decline |
    insufficient_funds (cards, at once) | succeed | fail_later (debits:
    processing now, settled or failed by the clock). Returns the charge."""
    account = owner(sb, session["id"])
    now = sb.clock.now()
    pi = intent_for(sb, session, account, method)
    pm = payment_method_create(sb, account, method, pm_details, billing)
    if failure_code:
        objects.private(pm)["failure_code"] = failure_code
        sb.store.save(pm)
    charge = new_charge(sb, account, pi, pm, now)
    pi.update(payment_method=pm["id"], latest_charge=charge["id"], last_payment_error=None)
    session["customer_details"] = customer_details(billing, session)
    if method == "card" and outcome in CARD_FAILURES:
        code, decline, message = CARD_FAILURES[outcome]
        fail_charge(charge, code, message, outcome="issuer_declined", decline=decline)
        sb.store.insert(charge, account=account)
        fail_intent(pi, charge, pm)
        sb.store.save(pi)
        sb.store.save(session)
        emit(sb, "charge.failed", charge, account)
        emit(sb, "payment_intent.payment_failed", pi, account)
        return charge
    if method == "card":
        charge.update(
            status="succeeded", paid=True, captured=True, amount_captured=charge["amount"]
        )
        charge["outcome"] = method_details.outcome(
            network_status="approved_by_network",
            type="authorized",
            reason=None,
            message="Payment complete.",
            card=True,
        )
        sb.store.insert(charge, account=account)
        book_success(sb, account, pi, charge, method)
        session.update(status="complete", payment_status="paid")
        sb.store.save(session)
        emit(sb, "charge.succeeded", charge, account)
        emit(sb, "payment_intent.succeeded", pi, account)
        emit(sb, "checkout.session.completed", session, account)
        return charge
    # A bank debit: processing until the clock (or a control call) settles it.
    # The bank accepted the debit instruction: Stripe's outcome says authorized.
    charge.update(status="pending")
    charge["outcome"] = method_details.outcome(
        network_status="approved_by_network",
        type="authorized",
        reason=None,
        message="Payment complete.",
        card=False,
    )
    sb.store.insert(charge, account=account)
    pi["status"] = "processing"
    sb.store.save(pi)
    session.update(status="complete", payment_status="unpaid")
    sb.store.save(session)
    emit(sb, "charge.pending", charge, account)
    emit(sb, "payment_intent.processing", pi, account)
    emit(sb, "checkout.session.completed", session, account)
    at = now + SETTLE_DAYS[method] * DAY
    job_name = "payments.debit_fail" if outcome == "fail_later" else "payments.debit_settle"
    sb.schedule(at, job_name, {"payment_intent": pi["id"]})
    return charge


def new_charge(
    sb: Sandbox, account: str, pi: dict[str, Any], pm: dict[str, Any], now: int
) -> dict[str, Any]:
    """A charge of `pi` with `pm`, not yet stored, neither paid nor failed."""
    charge = objects.build(
        "charge",
        now=now,
        amount=pi["amount"],
        amount_captured=0,
        amount_refunded=0,
        application=sb.config.client_id if account else None,
        application_fee_amount=pi["application_fee_amount"],
        billing_details=pm["billing_details"],
        calculated_statement_descriptor="FIRMPAY SANDBOX",
        captured=False,
        currency=pi["currency"],
        customer=pi.get("customer"),
        description=pi["description"],
        disputed=False,
        metadata=dict(pi["metadata"]),
        paid=False,
        payment_intent=pi["id"],
        payment_method=pm["id"],
        payment_method_details=method_details.charge_hash(pm, pi["amount"], now),
        receipt_email=pi["receipt_email"],
        refunded=False,
    )
    # Since API 2022-11-15 a charge does not carry its refunds (an expandable list that
    # is never expanded in events): list them with /v1/refunds?charge=.
    charge.pop("refunds", None)
    return charge


def customer_details(billing: dict[str, Any], session: dict[str, Any]) -> dict[str, Any]:
    return {
        "address": None,
        "email": billing.get("email") or session.get("customer_email"),
        "name": billing.get("name"),
        "phone": None,
        "tax_exempt": "none",
        "tax_ids": [],
        "business_name": None,
        "individual_name": None,
    }


def fail_charge(
    charge: dict[str, Any], code: str, message: str, *, outcome: str, decline: str | None = None
) -> None:
    charge.update(status="failed", paid=False, failure_code=code, failure_message=message)
    charge["outcome"] = method_details.outcome(
        network_status="declined_by_network",
        type=outcome,
        reason=decline,
        message="The bank declined this payment.",
        card=charge["payment_method_details"]["type"] == "card",
    )


def fail_intent(pi: dict[str, Any], charge: dict[str, Any], pm: dict[str, Any]) -> None:
    decline = (charge.get("outcome") or {}).get("reason")
    pi["status"] = "requires_payment_method"
    pi["last_payment_error"] = {
        "type": "card_error" if pm["type"] == "card" else "invalid_request_error",
        "code": charge["failure_code"],
        "decline_code": decline if pm["type"] == "card" else None,
        "message": charge["failure_message"],
        "charge": charge["id"],
        "payment_method": objects.public(pm),
        "doc_url": f"https://stripe.com/docs/error-codes/{charge['failure_code'].replace('_', '-')}",
    }


def book_success(
    sb: Sandbox, account: str, pi: dict[str, Any], charge: dict[str, Any], method: str
) -> None:
    """Balance transaction on the account, application fee on the platform."""
    now = sb.clock.now()
    amount, currency = charge["amount"], charge["currency"]
    app_fee = pi.get("application_fee_amount") or 0
    fee = stripe_fee(method, amount, currency)
    details = [
        {
            "amount": fee,
            "application": None,
            "currency": currency,
            "description": "Stripe processing fees",
            "type": "stripe_fee",
        }
    ]
    if app_fee and account:
        application_fee = objects.build(
            "application_fee",
            now=now,
            account=account,
            amount=app_fee,
            amount_refunded=0,
            application=sb.config.client_id,
            charge=charge["id"],
            currency=currency,
            originating_transaction=None,
            refunded=False,
            refunds={"object": "list", "data": [], "has_more": False, "url": ""},
        )
        fee_id = application_fee["id"]
        application_fee["refunds"]["url"] = f"/v1/application_fees/{fee_id}/refunds"
        platform_txn = balance_transaction(
            sb, "", app_fee, currency, fee_id, "application_fee", "Application fee"
        )
        application_fee["balance_transaction"] = platform_txn["id"]
        sb.store.insert(application_fee, account="")
        charge["application_fee"] = fee_id
        details.append(
            {
                "amount": app_fee,
                "application": sb.config.client_id,
                "currency": currency,
                "description": "Application fee",
                "type": "application_fee",
            }
        )
        sb.emit("application_fee.created", application_fee, account=None, owner="")
    txn = balance_transaction(
        sb,
        account,
        amount,
        currency,
        charge["id"],
        "charge" if method == "card" else "payment",
        pi.get("description") or "Payment",
        fee_details=details,
    )
    charge.update(
        status="succeeded",
        paid=True,
        captured=True,
        amount_captured=amount,
        balance_transaction=txn["id"],
    )
    sb.store.save(charge)
    pi.update(status="succeeded", amount_received=amount, last_payment_error=None)
    sb.store.save(pi)


def balance_transaction(
    sb: Sandbox,
    account: str,
    amount: int,
    currency: str,
    source: str,
    type: str,
    description: str,
    *,
    fee_details: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    now = sb.clock.now()
    fee = sum(d["amount"] for d in fee_details or [])
    txn = objects.build(
        "balance_transaction",
        now=now,
        amount=amount,
        available_on=now + 2 * DAY,
        balance_type="payments",
        currency=currency,
        description=description,
        exchange_rate=None,
        fee=fee,
        fee_details=fee_details or [],
        net=amount - fee,
        reporting_category=type,
        source=source,
        status="pending",
        type=type,
    )
    sb.store.insert(txn, account=account)
    # Automatic payouts sweep it up once it is available (a lazy import: payouts import us).
    from stripe_sandbox.resources import payout_sweep

    payout_sweep.book(sb, txn, account)
    return txn


def new_line_item_id() -> str:
    return ids.new_id("li_")
