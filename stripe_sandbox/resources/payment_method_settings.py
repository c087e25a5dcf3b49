"""Payment methods an account turns on and off itself, as in Stripe's
dashboard (Settings → Payment methods), and the payment method
configuration that reflects them.

An account connected by OAuth chooses its own payment methods: the platform
cannot request capabilities for it. The sandbox dashboard page
`/dashboard/accounts/{acct}/settings/payment_methods` turns ACH Direct Debit
(`us_bank_account`, US accounts) and Bacs Direct Debit (`bacs_debit`, GB
accounts) on or off: the capability is requested (active at once on an
account that can charge) or unrequested, and Stripe's events follow
(`account.updated` with the old `capabilities`, `capability.updated`).

`GET /v1/payment_method_configurations` (with `Stripe-Account`) lists the
account's default configuration: a method is `available` when it is on and
its capability is active.
"""

from __future__ import annotations

import hashlib
from typing import Any

import stripe.params as sp

from stripe_sandbox import errors, objects
from stripe_sandbox.pages import h, hidden_fields, page
from stripe_sandbox.resources import account_state
from stripe_sandbox.resources.accounts import current
from stripe_sandbox.router import Request, Response, Router

router = Router()

# Payment method -> (capability, label, the only country that has it).
METHODS = {
    "card": ("card_payments", "Cards", None),
    "us_bank_account": ("us_bank_account_ach_payments", "ACH Direct Debit", "US"),
    "bacs_debit": ("bacs_debit_payments", "Bacs Direct Debit", "GB"),
}
SWITCHABLE = ("us_bank_account", "bacs_debit")


def methods_for(account: dict[str, Any]) -> list[str]:
    return [m for m, (_, _, country) in METHODS.items() if country in (None, account["country"])]


def is_on(account: dict[str, Any], method: str) -> bool:
    return bool(account_state.state(account)["requested"].get(METHODS[method][0]))


def switch(sb, account: dict[str, Any], method: str, on: bool) -> dict[str, Any]:
    """Turn `method` on or off for `account`, as its owner does in Stripe's
    dashboard; emits what changed."""
    if method not in SWITCHABLE or method not in methods_for(account):
        raise errors.invalid_request(
            f"{method} cannot be turned on or off for an account in {account['country']}."
        )
    capability = METHODS[method][0]
    requested = account_state.state(account)["requested"]
    if on:
        requested.setdefault(capability, sb.clock.now())
    else:
        requested.pop(capability, None)
    return account_state.refresh(sb, account)


# -- the payment method configuration -----------------------------------------


def configuration_for(account: dict[str, Any]) -> dict[str, Any]:
    """The account's default configuration, derived from its capabilities
    (its id is fixed per account)."""
    digest = hashlib.sha256(account["id"].encode()).hexdigest()[:24]
    pmc = objects.build(
        "payment_method_configuration",
        id=f"pmc_{digest}",
        active=True,
        is_default=True,
        name="Default",
    )
    for key in pmc:
        if _is_method(key):
            pmc[key] = _method_setting(account, key)
    return pmc


def _is_method(key: str) -> bool:
    example = objects.fixtures()["payment_method_configuration"].get(key)
    return isinstance(example, dict) and "display_preference" in example


def _method_setting(account: dict[str, Any], method: str) -> dict[str, Any]:
    on = method in METHODS and method in methods_for(account) and is_on(account, method)
    active = on and account["capabilities"].get(METHODS[method][0]) == "active"
    value = "on" if on else "off"
    return {
        "available": active,
        "display_preference": {"overridable": None, "preference": value, "value": value},
    }


@router.get("/v1/payment_method_configurations", params=sp.PaymentMethodConfigurationListParams)
def configuration_list(req: Request) -> dict[str, Any]:
    pmc = configuration_for(current(req))
    return objects.list_object("/v1/payment_method_configurations", [pmc], False)


@router.get(
    "/v1/payment_method_configurations/{configuration}",
    params=sp.PaymentMethodConfigurationRetrieveParams,
)
def configuration_retrieve(req: Request, configuration: str) -> dict[str, Any]:
    pmc = configuration_for(current(req))
    if pmc["id"] != configuration:
        raise errors.resource_missing("payment_method_configuration", configuration)
    return pmc


# -- the dashboard page ------------------------------------------------------


def _load(req: Request, account: str) -> dict[str, Any]:
    obj = req.sb.store.get("account", account)
    if obj is None:
        raise errors.StripeError(f"No such account: {account}", status=404)
    return obj


@router.get("/dashboard/accounts/{account}/settings/payment_methods", kind="page")
def settings_page(req: Request, account: str) -> Response:
    obj = _load(req, account)
    rows = "".join(_row(obj, method) for method in methods_for(obj))
    body = (
        f"<p><a href='/dashboard/accounts/{h(account)}'>← Account</a></p>"
        f"<h1>Payment methods</h1><p class=muted><code>{h(account)}</code> · "
        f"{h(obj['country'])}: what clients of this account can pay with.</p>"
        f"<table><tr><th>payment method</th><th>status</th><th></th></tr>{rows}</table>"
    )
    return page("Payment methods", body, wide=True)


def _row(account: dict[str, Any], method: str) -> str:
    capability, label, _ = METHODS[method]
    status = account["capabilities"].get(capability, "off") if is_on(account, method) else "off"
    action = ""
    if method in SWITCHABLE:
        turn = "off" if is_on(account, method) else "on"
        action = (
            f"<form method=post action='/dashboard/accounts/{h(account['id'])}/settings/"
            f"payment_methods' style='margin:0'>"
            + hidden_fields({"method": method, "turn": turn})
            + f"<button style='margin:0'>Turn {turn} {h(label)}</button></form>"
        )
    return f"<tr><td>{h(label)}</td><td>{h(status)}</td><td>{action}</td></tr>"


@router.post("/_sandbox/accounts/{account}/payment_methods", kind="control")
def control_switch(req: Request, account: str) -> dict[str, Any]:
    """Body: {"us_bank_account": "on"|"off", "bacs_debit": "on"|"off"}: what
    the dashboard page does, without a browser. Answers the account."""
    obj = req.sb.store.get("account", account)
    if obj is None:
        raise errors.resource_missing("account", account)
    for method, value in req.params.items():
        if value not in ("on", "off"):
            raise errors.invalid_request(f"{method}: say 'on' or 'off'.", param=method)
        switch(req.sb, obj, method, value == "on")
    return objects.public(obj)


@router.post("/dashboard/accounts/{account}/settings/payment_methods", kind="page")
def settings_switch(req: Request, account: str) -> Response:
    obj = _load(req, account)
    switch(req.sb, obj, req.params.get("method", ""), req.params.get("turn") == "on")
    return Response.redirect(req.sb.url(f"/dashboard/accounts/{account}/settings/payment_methods"))
