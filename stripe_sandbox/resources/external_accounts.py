"""/v1/accounts/{account}/external_accounts: the payout bank account."""

from __future__ import annotations

from typing import Any

import stripe.params as sp

from stripe_sandbox import errors, objects
from stripe_sandbox.resources import account_model, account_state
from stripe_sandbox.resources.accounts import load
from stripe_sandbox.router import Request, Router

router = Router()


def _url(account: str) -> str:
    return f"/v1/accounts/{account}/external_accounts"


@router.get("/v1/accounts/{account}/external_accounts", params=sp.AccountExternalAccountListParams)
def external_account_list(req: Request, account: str) -> dict[str, Any]:
    data = load(req, account)["external_accounts"]["data"]
    return objects.list_object(_url(account), data, False)


@router.get(
    "/v1/accounts/{account}/external_accounts/{bank}",
    params=sp.AccountExternalAccountRetrieveParams,
)
def external_account_retrieve(req: Request, account: str, bank: str) -> dict[str, Any]:
    for item in load(req, account)["external_accounts"]["data"]:
        if item["id"] == bank:
            return item
    raise errors.resource_missing("external account", bank)


@router.post(
    "/v1/accounts/{account}/external_accounts", params=sp.AccountExternalAccountCreateParams
)
def external_account_create(req: Request, account: str) -> dict[str, Any]:
    obj = load(req, account)
    bank = account_model.add_bank_account(req.sb, obj, req.params["external_account"])
    account_state.refresh(req.sb, obj, request=req.stripe_request())
    req.sb.emit(
        "account.external_account.created", bank, account=account, request=req.stripe_request()
    )
    return bank
