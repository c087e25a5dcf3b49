"""Connect accounts: /v1/accounts, /v1/account, login links."""

from __future__ import annotations

from typing import Any

import stripe.params as sp

from stripe_sandbox import api, errors, ids, objects
from stripe_sandbox.resources import account_model, account_state
from stripe_sandbox.router import Request, Response, Router
from stripe_sandbox.sandbox import Sandbox

router = Router()

PLATFORM_ACCOUNT_ID = "acct_1SandboxPlatform00"


def setup(sb: Sandbox) -> None:
    if sb.store.get("account", PLATFORM_ACCOUNT_ID) is None:
        platform = account_model.new_account(
            sb,
            {
                "country": "US",
                "email": "platform@example.com",
                "business_profile": {"name": sb.config.platform_name},
            },
            connected=False,
            account_id=PLATFORM_ACCOUNT_ID,
        )
        account_model.fill_for_verification(sb, platform)
        platform["details_submitted"] = True
        account_state.verify(platform)
        account_state.state(platform)["platform"] = True
        account_state.derive(platform, sb.clock.now())
        sb.store.insert(platform)


def load(req: Request, account_id: str) -> dict[str, Any]:
    """An account the caller may see: itself, or one connected to the platform."""
    account = req.sb.store.get("account", account_id)
    visible = account is not None and (
        account_id == (req.account or PLATFORM_ACCOUNT_ID)
        or (req.is_platform and objects.private(account).get("connected"))
    )
    if not visible:
        if req.is_platform:
            raise errors.resource_missing("account", account_id, param="account")
        raise errors.account_access(req.api_key, account_id)
    return account


def current(req: Request) -> dict[str, Any]:
    return load(req, req.account or PLATFORM_ACCOUNT_ID)


@router.post("/v1/accounts", params=sp.AccountCreateParams)
def account_create(req: Request) -> dict[str, Any]:
    if not req.is_platform:
        raise errors.invalid_request("Only platforms can create connected accounts.", status=400)
    account = account_model.new_account(req.sb, req.params)
    req.sb.store.insert(account)
    return account


@router.get("/v1/accounts/{account}", params=sp.AccountRetrieveParams)
def account_retrieve(req: Request, account: str) -> dict[str, Any]:
    return load(req, account)


@router.get("/v1/account", params=sp.AccountRetrieveCurrentParams)
def account_retrieve_current(req: Request) -> dict[str, Any]:
    return current(req)


@router.post("/v1/accounts/{account}", params=sp.AccountUpdateParams)
def account_update(req: Request, account: str) -> dict[str, Any]:
    obj = load(req, account)
    account_model.apply_update(req.sb, obj, req.params)
    return account_state.refresh(req.sb, obj, request=req.stripe_request())


@router.post("/v1/account", params=sp.AccountUpdateParams)
def account_update_current(req: Request) -> dict[str, Any]:
    return account_update(req, req.account or PLATFORM_ACCOUNT_ID)


@router.delete("/v1/accounts/{account}", params=sp.AccountDeleteParams)
def account_delete(req: Request, account: str) -> dict[str, Any]:
    obj = load(req, account)
    if account_state.state(obj).get("platform"):
        raise errors.invalid_request("The platform account cannot be deleted.")
    if obj["controller"].get("type") != "application":
        raise errors.invalid_request(
            "You cannot delete an account your platform did not create; deauthorize it instead."
        )
    req.sb.store.delete("account", account)
    return objects.deleted("account", account)


@router.get("/v1/accounts", params=sp.AccountListParams)
def account_list(req: Request) -> dict[str, Any]:
    if not req.is_platform:
        raise errors.invalid_request("Only platforms can list connected accounts.")
    return api.list_page(req, "account", "/v1/accounts", where={"_sandbox.connected": True})


@router.post("/v1/accounts/{account}/reject", params=sp.AccountRejectParams)
def account_reject(req: Request, account: str) -> dict[str, Any]:
    obj = load(req, account)
    account_state.state(obj)["rejected"] = req.params["reason"]
    return account_state.refresh(req.sb, obj, request=req.stripe_request())


@router.post("/v1/accounts/{account}/login_links", params=sp.AccountLoginLinkCreateParams)
def login_link_create(req: Request, account: str) -> dict[str, Any]:
    obj = load(req, account)
    if account_model.dashboard_type(obj) != "express":
        raise errors.invalid_request(
            "Cannot create a login link for an account that does not use the Express "
            "Dashboard. Accounts with full dashboard access sign in at dashboard.stripe.com.",
            param="account",
        )
    token = ids.random_token(12)
    return {
        "object": "login_link",
        "created": req.sb.clock.now(),
        "url": req.sb.url(f"/express/{account}/{token}"),
    }


@router.get("/express/{account}/{token}", kind="page")
def express_dashboard(req: Request, account: str, token: str) -> Response:
    # The sandbox dashboard stands in for Stripe's Express dashboard.
    return Response.redirect(req.sb.url(f"/dashboard/accounts/{account}"))
