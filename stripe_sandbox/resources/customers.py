"""Customers on a connected account and what is saved on them: payment
methods (attach, detach, list), SetupIntents and Mandates (read), the
mandate's hosted terms page, and the controls a test needs to age them
(revoke a mandate, change a card's expiry)."""

from __future__ import annotations

from typing import Any

import stripe.params as sp

from stripe_sandbox import api, errors, ids, objects
from stripe_sandbox.pages import h, page
from stripe_sandbox.resources.dashboard import register_section
from stripe_sandbox.router import Request, Response, Router

router = Router()
ids.PREFIXES.update(customer="cus_", setup_intent="seti_", mandate="mandate_")
register_section("customer", "Customers", ["id", "email", "name", "created"])
register_section("mandate", "Mandates", ["id", "payment_method", "status", "type"])

REVOCATION_REASONS = (
    "account_closed",
    "bank_account_restricted",
    "bank_ownership_changed",
    "could_not_process",
    "debit_not_authorized",
)


@router.post("/v1/customers", params=sp.CustomerCreateParams)
def customer_create(req: Request) -> dict[str, Any]:
    p = req.params
    customer = api.create(
        req,
        "customer",
        email=p.get("email"),
        name=p.get("name"),
        description=p.get("description"),
        metadata=dict(p.get("metadata") or {}),
        currency=None,
        discount=None,
        invoice_prefix=ids.random_token(8).upper(),
        shipping=None,
        address=None,
    )
    api.emit(req, "customer.created", customer)
    return customer


@router.get("/v1/customers/{customer}", params=sp.CustomerRetrieveParams)
def customer_retrieve(req: Request, customer: str) -> dict[str, Any]:
    return api.get_or_404(req, "customer", customer, param="customer")


@router.get("/v1/customers", params=sp.CustomerListParams)
def customer_list(req: Request) -> dict[str, Any]:
    where = {"email": req.params["email"]} if req.params.get("email") else None
    return api.list_page(req, "customer", "/v1/customers", where=where)


@router.get("/v1/customers/{customer}/payment_methods", params=sp.CustomerListPaymentMethodsParams)
def customer_payment_methods(req: Request, customer: str) -> dict[str, Any]:
    api.get_or_404(req, "customer", customer, param="customer")
    where = {
        "customer": customer,
        **({"type": req.params["type"]} if req.params.get("type") else {}),
    }
    return api.list_page(
        req, "payment_method", f"/v1/customers/{customer}/payment_methods", where=where
    )


@router.get("/v1/payment_methods", params=sp.PaymentMethodListParams)
def payment_method_list(req: Request) -> dict[str, Any]:
    where = {k: req.params[k] for k in ("customer", "type") if req.params.get(k)}
    return api.list_page(req, "payment_method", "/v1/payment_methods", where=where)


@router.post("/v1/payment_methods/{payment_method}/attach", params=sp.PaymentMethodAttachParams)
def payment_method_attach(req: Request, payment_method: str) -> dict[str, Any]:
    pm = api.get_or_404(req, "payment_method", payment_method, param="payment_method")
    api.get_or_404(req, "customer", req.params["customer"], param="customer")
    if pm.get("customer"):
        raise errors.invalid_request(
            "The payment method you provided has already been attached to a customer.",
            code="payment_method_unexpected_state",
            param="payment_method",
        )
    pm["customer"] = req.params["customer"]
    api.save(req, pm)
    api.emit(req, "payment_method.attached", pm)
    return pm


@router.post("/v1/payment_methods/{payment_method}/detach", params=sp.PaymentMethodDetachParams)
def payment_method_detach(req: Request, payment_method: str) -> dict[str, Any]:
    pm = api.get_or_404(req, "payment_method", payment_method, param="payment_method")
    if not pm.get("customer"):
        raise errors.invalid_request(
            "The payment method you provided is not attached to a customer so detachment is "
            "impossible.",
            code="payment_method_unexpected_state",
            param="payment_method",
        )
    detach(req.sb, pm, req.account, request=req.stripe_request())
    return pm


def detach(sb, pm: dict[str, Any], account: str, request=None) -> None:
    """Detaching ends the method's mandate: mandate.updated (inactive) too."""
    previous = pm["customer"]
    pm["customer"] = None
    sb.store.save(pm)
    sb.emit(
        "payment_method.detached",
        pm,
        account=account or None,
        owner=account,
        previous_attributes={"customer": previous},
        request=request,
    )
    mandate_id = objects.private(pm).get("mandate")
    mandate = sb.store.get("mandate", mandate_id, account=account) if mandate_id else None
    if mandate and mandate["status"] == "active":
        set_mandate_status(sb, mandate, account, "inactive", reason=None)


def set_mandate_status(
    sb, mandate: dict[str, Any], account: str, status: str, *, reason: str | None
) -> None:
    previous = {"status": mandate["status"]}
    mandate["status"] = status
    bacs = mandate["payment_method_details"].get("bacs_debit")
    if bacs and status == "inactive":
        previous["payment_method_details"] = {
            "bacs_debit": {"network_status": bacs["network_status"]}
        }
        bacs.update(network_status="revoked", revocation_reason=reason)
    sb.store.save(mandate)
    sb.emit(
        "mandate.updated",
        mandate,
        account=account or None,
        owner=account,
        previous_attributes=previous,
    )


@router.get("/v1/mandates/{mandate}", params=sp.MandateRetrieveParams)
def mandate_retrieve(req: Request, mandate: str) -> dict[str, Any]:
    return api.get_or_404(req, "mandate", mandate, param="mandate")


@router.get("/v1/setup_intents/{intent}", params=sp.SetupIntentRetrieveParams)
def setup_intent_retrieve(req: Request, intent: str) -> dict[str, Any]:
    return api.get_or_404(req, "setup_intent", intent, param="intent")


@router.get("/v1/setup_intents", params=sp.SetupIntentListParams)
def setup_intent_list(req: Request) -> dict[str, Any]:
    where = {k: req.params[k] for k in ("customer", "payment_method") if req.params.get(k)}
    return api.list_page(req, "setup_intent", "/v1/setup_intents", where=where)


@router.get("/mandates/{mandate}", kind="page")
def mandate_page(req: Request, mandate: str) -> Response:
    """The mandate's terms, where `payment_method_details.bacs_debit.url` points."""
    obj = req.sb.store.get("mandate", mandate)
    if obj is None:
        raise errors.StripeError("This mandate does not exist.", status=404)
    bacs = obj["payment_method_details"].get("bacs_debit") or {}
    body = (
        f"<h1>Direct Debit Instruction</h1><p>Mandate reference <strong>{h(bacs.get('reference') or obj['id'])}"
        f"</strong>; status {h(obj['status'])}.</p><p>{h(BACS_TERMS)}</p>"
        f"<h2>The Direct Debit Guarantee</h2><p>{h(BACS_GUARANTEE)}</p>"
    )
    return page("Direct Debit mandate", body)


BACS_TERMS = (
    "Please pay Stripe, on behalf of the business named on this page, Direct Debits from the "
    "account detailed in this Instruction subject to the safeguards assured by the Direct Debit "
    "Guarantee. I understand that this Instruction may remain with Stripe and, if so, details "
    "will be passed electronically to my bank or building society."
)
BACS_GUARANTEE = (
    "This Guarantee is offered by all banks and building societies that accept instructions to "
    "pay Direct Debits. If there are any changes to the amount, date or frequency of your Direct "
    "Debit you will be notified in advance. If an error is made in the payment of your Direct "
    "Debit you are entitled to a full and immediate refund from your bank or building society. "
    "You can cancel a Direct Debit at any time by simply contacting your bank or building society."
)


@router.post("/_sandbox/mandates/{mandate}/revoke", kind="control")
def mandate_revoke(req: Request, mandate: str) -> dict[str, Any]:
    """The payer cancels the mandate at their bank: mandate.updated, inactive."""
    obj = req.sb.store.get("mandate", mandate)
    if obj is None:
        raise errors.resource_missing("mandate", mandate)
    reason = req.params.get("reason", "debit_not_authorized")
    if reason not in REVOCATION_REASONS:
        raise errors.invalid_request(f"Unknown revocation reason {reason!r}.")
    if obj["status"] != "active":
        raise errors.invalid_request(f"Mandate {mandate} is already {obj['status']}.")
    set_mandate_status(req.sb, obj, req.sb.store.owner(mandate) or "", "inactive", reason=reason)
    return objects.public(obj)


@router.post("/_sandbox/payment_methods/{pm}/card", kind="control")
def card_change(req: Request, pm: str) -> dict[str, Any]:
    """A card's expiry changes: {"exp_month", "exp_year", "automatic": bool}.
    automatic (the network sent new details): payment_method.automatically_updated;
    otherwise payment_method.updated. {"charge": outcome} changes what the next
    off-session charges on it do (succeed, decline, insufficient_funds,
    authentication_required, expired_card)."""
    obj = req.sb.store.get("payment_method", pm)
    if obj is None or obj["type"] != "card":
        raise errors.invalid_request(f"{pm} is not a card payment method.")
    account = req.sb.store.owner(pm) or ""
    p = req.params
    if "charge" in p:
        from stripe_sandbox.resources.setup_flow import CARD_CHARGE_OUTCOMES

        if p["charge"] not in CARD_CHARGE_OUTCOMES:
            raise errors.invalid_request(f"Unknown charge outcome {p['charge']!r}.")
        objects.private(obj)["charge"] = p["charge"]
    previous = {}
    if "exp_month" in p or "exp_year" in p:
        card = obj["card"]
        previous = {"card": {"exp_month": card["exp_month"], "exp_year": card["exp_year"]}}
        card["exp_month"] = int(p.get("exp_month", card["exp_month"]))
        card["exp_year"] = int(p.get("exp_year", card["exp_year"]))
    req.sb.store.save(obj)
    if previous:
        kind = "automatically_updated" if p.get("automatic") else "updated"
        req.sb.emit(
            f"payment_method.{kind}",
            obj,
            account=account or None,
            owner=account,
            previous_attributes=previous,
        )
    return objects.public(obj)
