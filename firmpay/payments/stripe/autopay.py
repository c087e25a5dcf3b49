"""Customers, setup-mode Checkout and off-session PaymentIntents on a connected account:
the only code calling `client.v1.customers.*`, `payment_intents.create`, `mandates.*` and
`setup_intents.*`. Answers are mapped to our dataclasses; a declined confirm (402) is an
answer, not an error: ChargeResult says what happened."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import stripe

from firmpay.payments.stripe.client import get_client
from firmpay.payments.stripe.errors import translated_errors

# Decline codes after which trying the same card again is pointless (Stripe's "hard" ones).
HARD_DECLINES = frozenset(
    {
        "expired_card",
        "incorrect_number",
        "invalid_account",
        "lost_card",
        "stolen_card",
        "pickup_card",
        "restricted_card",
        "revocation_of_authorization",
        "revocation_of_all_authorizations",
        "stop_payment_order",
        "do_not_honor",
        "fraudulent",
    }
)


@dataclass(frozen=True)
class SavedMethod:
    """What a completed setup saved: the method, its mandate (debits), its card details."""

    setup_intent: str
    payment_method: str
    method: str
    mandate: str = ""
    mandate_reference: str = ""
    mandate_url: str = ""
    last4: str = ""
    brand: str = ""
    exp_month: int | None = None
    exp_year: int | None = None


@dataclass(frozen=True)
class SetupSession:
    id: str
    url: str
    setup_intent: str


@dataclass(frozen=True)
class ChargeResult:
    """outcome: succeeded | processing | declined | hard_declined | authentication_required
    | mandate_invalid."""

    outcome: str
    payment_intent: str = ""
    charge: str = ""
    code: str = ""
    message: str = ""


def customer_create(
    *, account_id: str, email: str, name: str, metadata: dict, idempotency_key: str
) -> str:
    params: dict = {"name": name, "metadata": metadata}
    if email:
        params["email"] = email
    with translated_errors("customer create"):
        customer = get_client().v1.customers.create(
            params=params,
            options={"stripe_account": account_id, "idempotency_key": idempotency_key},
        )
    return customer.id


def setup_session_create(
    *,
    account_id: str,
    customer: str,
    currency: str,
    methods: list[str],
    metadata: dict[str, str],
    success_url: str,
    cancel_url: str,
    idempotency_key: str,
) -> SetupSession:
    """Checkout in setup mode: the client saves a card or authorises a mandate."""
    params = {
        "mode": "setup",
        "customer": customer,
        "currency": currency.lower(),
        "allowed_payment_method_types": methods,
        "metadata": metadata,
        "setup_intent_data": {"metadata": metadata},
        "success_url": success_url,
        "cancel_url": cancel_url,
    }
    with translated_errors("setup session create"):
        session = get_client().v1.checkout.sessions.create(
            params=params,
            options={"stripe_account": account_id, "idempotency_key": idempotency_key},
        )
    return SetupSession(
        id=session.id, url=session.url or "", setup_intent=_id(session.setup_intent)
    )


def saved_method_retrieve(*, account_id: str, setup_intent: str) -> SavedMethod | None:
    """The method a setup saved (None while the setup is not complete)."""
    options = {"stripe_account": account_id}
    client = get_client()
    with translated_errors("setup intent retrieve"):
        seti = client.v1.setup_intents.retrieve(
            setup_intent, params={"expand": ["payment_method", "mandate"]}, options=options
        ).to_dict()
    if seti.get("status") != "succeeded" or not seti.get("payment_method"):
        return None
    return saved_method_from_stripe(seti)


def _id(value) -> str:
    return (value.get("id") or "") if isinstance(value, Mapping) else (value or "")


def saved_method_from_stripe(seti: Mapping) -> SavedMethod:
    pm = seti.get("payment_method") if isinstance(seti.get("payment_method"), Mapping) else {}
    mandate = seti.get("mandate") if isinstance(seti.get("mandate"), Mapping) else {}
    kind = pm.get("type") or ((seti.get("payment_method_types") or [""])[0])
    own = pm.get(kind) or {}
    bacs = (mandate.get("payment_method_details") or {}).get("bacs_debit") or {}
    return SavedMethod(
        setup_intent=seti.get("id") or "",
        payment_method=_id(seti.get("payment_method")),
        method=kind,
        mandate=_id(seti.get("mandate")),
        mandate_reference=bacs.get("reference") or "",
        mandate_url=bacs.get("url") or "",
        last4=own.get("last4") or "",
        brand=own.get("brand") or "",
        exp_month=own.get("exp_month"),
        exp_year=own.get("exp_year"),
    )


def payment_method_detach(*, account_id: str, payment_method: str) -> None:
    with translated_errors("payment method detach"):
        try:
            get_client().v1.payment_methods.detach(
                payment_method, options={"stripe_account": account_id}
            )
        except stripe.InvalidRequestError as error:
            if error.code != "payment_method_unexpected_state":  # already detached
                raise


def off_session_charge(
    *,
    account_id: str,
    customer: str,
    payment_method: str,
    amount: int,
    currency: str,
    application_fee_amount: int,
    description: str,
    metadata: dict[str, str],
    idempotency_key: str,
) -> ChargeResult:
    """One off-session PaymentIntent, confirmed now. The same key answers the same intent."""
    params: dict = {
        "amount": amount,
        "currency": currency.lower(),
        "customer": customer,
        "payment_method": payment_method,
        "confirm": True,
        "off_session": True,
        "description": description,
        "metadata": metadata,
    }
    if application_fee_amount > 0:
        params["application_fee_amount"] = application_fee_amount
    options = {"stripe_account": account_id, "idempotency_key": idempotency_key}
    with translated_errors("off-session charge"):
        try:
            intent = get_client().v1.payment_intents.create(params=params, options=options)
        except stripe.CardError as error:
            return _declined(error)
        except stripe.InvalidRequestError as error:
            if error.code != "payment_intent_mandate_invalid":
                raise
            return ChargeResult(
                outcome="mandate_invalid", code=error.code, message=error.user_message or ""
            )
    status = intent.status
    outcome = {"succeeded": "succeeded", "processing": "processing"}.get(status, "declined")
    return ChargeResult(outcome=outcome, payment_intent=intent.id, charge=_id(intent.latest_charge))


def _declined(error: stripe.CardError) -> ChargeResult:
    body = (error.json_body or {}).get("error") or {}
    intent = body.get("payment_intent") or {}
    code = body.get("code") or error.code or ""
    decline = body.get("decline_code") or ""
    if code == "authentication_required" or decline == "authentication_required":
        outcome = "authentication_required"
    elif code in HARD_DECLINES or decline in HARD_DECLINES:
        outcome = "hard_declined"
    else:
        outcome = "declined"
    return ChargeResult(
        outcome=outcome,
        payment_intent=intent.get("id") or "",
        charge=_id(intent.get("latest_charge")),
        code=decline or code,
        message=body.get("message") or "The payment was declined.",
    )
