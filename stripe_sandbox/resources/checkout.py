"""Checkout Sessions: /v1/checkout/sessions create, retrieve, list, expire,
line items. Payment itself happens on the hosted page (`checkout_page`) or
through `/_sandbox/checkout/sessions/{cs}/pay` (`payment_controls`)."""

from __future__ import annotations

from typing import Any

import stripe.params.checkout as spc

from stripe_sandbox import api, errors, objects
from stripe_sandbox.resources.dashboard import register_section
from stripe_sandbox.resources.payment_flow import DAY, METHODS, new_line_item_id
from stripe_sandbox.router import Request, Router
from stripe_sandbox.scheduler import job

router = Router()
register_section(
    "checkout.session",
    "Checkout sessions",
    ["id", "amount_total", "currency", "status", "payment_status", "payment_intent", "created"],
)

# What each payment method needs on the account: capability and currency.
REQUIREMENTS = {
    "card": ("card_payments", None),
    "us_bank_account": ("us_bank_account_ach_payments", "usd"),
    "bacs_debit": ("bacs_debit_payments", "gbp"),
}
MIN_EXPIRY, MAX_EXPIRY = 30 * 60, DAY


def payment_method_types(
    account: dict[str, Any], currency: str, allowed: list[str] | None, excluded: list[str]
) -> list[str]:
    """The methods this session offers; an allowed method the account or the
    currency cannot take is refused as Stripe does."""
    capabilities = account.get("capabilities") or {}
    explicit = allowed is not None
    for name in excluded:
        if name not in REQUIREMENTS:
            raise errors.invalid_request(
                f"The payment method type `{name}` is invalid or not supported by the sandbox.",
                param="excluded_payment_method_types",
            )
    chosen = []
    for name in allowed if explicit else list(METHODS):
        if name in excluded:
            continue
        if name not in REQUIREMENTS:
            raise errors.invalid_request(
                f"The payment method type `{name}` is invalid or not activated for this account. "
                f"The sandbox supports {', '.join(METHODS)}.",
                param="allowed_payment_method_types",
            )
        capability, needs = REQUIREMENTS[name]
        if capabilities.get(capability) != "active":
            if not explicit:
                continue
            raise errors.invalid_request(
                f"The payment method type `{name}` is invalid. Please ensure the provided type is "
                f"activated in your dashboard: the account's `{capability}` capability is "
                f"{capabilities.get(capability) or 'not requested'}.",
                param="allowed_payment_method_types",
            )
        if needs and currency != needs:
            if not explicit:
                continue
            raise errors.invalid_request(
                f"The currency provided ({currency}) is invalid for one or more payment method "
                f"types on this Checkout Session: `{name}` only supports {needs}.",
                param="allowed_payment_method_types",
            )
        chosen.append(name)
    if not chosen:
        raise errors.invalid_request(
            "No valid payment method types for this Checkout Session: the account has no active "
            f"payment method that accepts {currency}.",
            param="allowed_payment_method_types",
        )
    return chosen


def _line_items(params: dict[str, Any]) -> tuple[list[dict[str, Any]], str]:
    items, currency = [], None
    for i, item in enumerate(params.get("line_items") or []):
        price_data = item.get("price_data")
        if not price_data:
            raise errors.invalid_request(
                "The sandbox only supports `price_data` line items.",
                param=f"line_items[{i}][price_data]",
            )
        item_currency = price_data["currency"].lower()
        if currency and item_currency != currency:
            raise errors.invalid_request(
                "All line items must use the same currency.",
                param=f"line_items[{i}][price_data][currency]",
            )
        currency = item_currency
        unit = price_data.get("unit_amount")
        if unit is None or unit < 0:
            raise errors.invalid_request(
                "Missing required param: unit_amount.",
                code="parameter_missing",
                param=f"line_items[{i}][price_data][unit_amount]",
            )
        quantity = item.get("quantity")
        if not quantity or quantity < 1:
            raise errors.invalid_request(
                "Quantity is required and must be at least 1.",
                code="parameter_missing",
                param=f"line_items[{i}][quantity]",
            )
        name = (price_data.get("product_data") or {}).get("name") or ""
        items.append(
            {
                "id": new_line_item_id(),
                "object": "item",
                "adjustable_quantity": None,
                "amount_discount": 0,
                "amount_subtotal": unit * quantity,
                "amount_tax": 0,
                "amount_total": unit * quantity,
                "currency": item_currency,
                "description": name,
                "metadata": dict(item.get("metadata") or {}),
                "price": None,
                "quantity": quantity,
            }
        )
    if not items:
        raise errors.invalid_request(
            "You must provide at least one line item in `payment` mode.",
            code="parameter_missing",
            param="line_items",
        )
    return items, currency


@router.post("/v1/checkout/sessions", params=spc.SessionCreateParams)
def session_create(req: Request) -> dict[str, Any]:
    p = req.params
    now = req.sb.clock.now()
    mode = p.get("mode")
    if mode not in ("payment", "setup"):
        raise errors.invalid_request(
            "The sandbox supports Checkout Sessions in `payment` and `setup` mode.", param="mode"
        )
    if mode == "setup":
        items, currency, amount = [], (p.get("currency") or "").lower() or None, 0
    else:
        items, currency = _line_items(p)
        amount = sum(i["amount_total"] for i in items)
    pi_data = dict(p.get("payment_intent_data") or {})
    fee = pi_data.get("application_fee_amount")
    if fee is not None:
        if req.is_platform:
            raise errors.invalid_request(
                "Can only apply an application_fee_amount when the request is made on behalf of "
                "another account (using an OAuth key, the Stripe-Account header, or the "
                "destination parameter).",
                param="payment_intent_data[application_fee_amount]",
            )
        if not 0 <= fee <= amount:
            raise errors.invalid_request(
                "The application fee amount must be between 0 and the total amount.",
                param="payment_intent_data[application_fee_amount]",
            )
    account = api.current_account(req)
    methods = payment_method_types(
        account,
        currency,
        p.get("allowed_payment_method_types"),
        p.get("excluded_payment_method_types") or [],
    )
    expires_at = p.get("expires_at") or now + DAY
    if not now + MIN_EXPIRY <= expires_at <= now + MAX_EXPIRY:
        raise errors.invalid_request(
            "The `expires_at` timestamp must be between 30 minutes and 24 hours from now.",
            param="expires_at",
        )
    fields = dict(
        amount_subtotal=amount,
        amount_total=amount,
        cancel_url=p.get("cancel_url"),
        client_reference_id=p.get("client_reference_id"),
        currency=currency,
        customer_email=p.get("customer_email"),
        customer_creation="if_required",
        expires_at=expires_at,
        locale=p.get("locale"),
        metadata=dict(p.get("metadata") or {}),
        mode="payment",
        payment_method_collection="if_required",
        payment_method_types=methods,
        payment_status="unpaid",
        status="open",
        submit_type=p.get("submit_type"),
        success_url=p.get("success_url"),
        total_details={"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
        ui_mode="hosted_page",
        billing_address_collection=p.get("billing_address_collection"),
        automatic_tax={"enabled": False, "liability": None, "provider": None, "status": None},
        custom_fields=[],
        custom_text={
            "after_submit": None,
            "shipping_address": None,
            "submit": None,
            "terms_of_service_acceptance": None,
        },
        phone_number_collection={"enabled": False},
        shipping_options=[],
        discounts=[],
    )
    if mode == "setup":
        from stripe_sandbox.resources import setup_flow

        setup_flow.session_create(req, fields, methods)
    session = objects.build("checkout.session", now=now, **fields)
    session["url"] = req.sb.url(f"/c/pay/{session['id']}")
    objects.private(session).update(line_items=items, payment_intent_data=pi_data)
    req.sb.store.insert(session, account=req.account)
    req.sb.schedule(expires_at, "checkout.session_expire", {"session": session["id"]})
    return session


@router.get("/v1/checkout/sessions/{session}", params=spc.SessionRetrieveParams)
def session_retrieve(req: Request, session: str) -> dict[str, Any]:
    return api.get_or_404(req, "checkout.session", session, param="session")


@router.get("/v1/checkout/sessions", params=spc.SessionListParams)
def session_list(req: Request) -> dict[str, Any]:
    where = {k: req.params[k] for k in ("payment_intent", "status") if req.params.get(k)}
    if req.params.get("customer_details"):
        email = req.params["customer_details"].get("email")
        where["customer_details.email"] = email
    return api.list_page(req, "checkout.session", "/v1/checkout/sessions", where=where)


@router.get("/v1/checkout/sessions/{session}/line_items", params=spc.SessionLineItemListParams)
def session_line_items(req: Request, session: str) -> dict[str, Any]:
    obj = api.get_or_404(req, "checkout.session", session, param="session")
    items = objects.private(obj).get("line_items") or []
    limit = int(req.params.get("limit") or 10)
    after = req.params.get("starting_after")
    if after:
        position = next((i for i, item in enumerate(items) if item["id"] == after), -1)
        items = items[position + 1 :]
    return objects.list_object(
        f"/v1/checkout/sessions/{session}/line_items", items[:limit], len(items) > limit
    )


def expire(sb, session: dict[str, Any], account: str, request=None) -> dict[str, Any]:
    """An open session expires: checkout.session.expired; an unpaid intent is canceled."""
    session["status"] = "expired"
    session["url"] = None
    sb.store.save(session)
    if session.get("payment_intent"):
        pi = sb.store.get("payment_intent", session["payment_intent"], account=account)
        if pi and pi["status"] == "requires_payment_method":
            pi.update(
                status="canceled", canceled_at=sb.clock.now(), cancellation_reason="automatic"
            )
            sb.store.save(pi)
            sb.emit("payment_intent.canceled", pi, account=account or None, owner=account)
    sb.emit(
        "checkout.session.expired", session, account=account or None, owner=account, request=request
    )
    return session


@router.post("/v1/checkout/sessions/{session}/expire", params=spc.SessionExpireParams)
def session_expire(req: Request, session: str) -> dict[str, Any]:
    obj = api.get_or_404(req, "checkout.session", session, param="session")
    if obj["status"] != "open":
        raise errors.invalid_request(
            f'Only Checkout Sessions with a status in ["open"] can be expired. This '
            f'Checkout Session has a status of "{obj["status"]}".',
            param="session",
        )
    return expire(req.sb, obj, req.account, request=req.stripe_request())


@job("checkout.session_expire")
def _expire_job(sb, payload: dict[str, Any]) -> None:
    session = sb.store.get("checkout.session", payload["session"])
    if session is not None and session["status"] == "open":
        expire(sb, session, sb.store.owner(session["id"]) or "")
