"""/v1/accounts/{account}/capabilities"""

from __future__ import annotations

from typing import Any

import stripe.params as sp

from stripe_sandbox import errors, objects
from stripe_sandbox.resources import account_model, account_state
from stripe_sandbox.resources.accounts import load
from stripe_sandbox.router import Request, Router

router = Router()


def _one(account: dict[str, Any], name: str) -> dict[str, Any]:
    if (
        name not in account_state.state(account)["requested"]
        and name not in account["capabilities"]
    ):
        raise errors.resource_missing("capability", name, param="capability")
    return account_state.capability_object(account, name)


@router.get("/v1/accounts/{account}/capabilities", params=sp.AccountCapabilityListParams)
def capability_list(req: Request, account: str) -> dict[str, Any]:
    obj = load(req, account)
    caps = [
        account_state.capability_object(obj, name)
        for name in sorted(account_state.state(obj)["requested"])
    ]
    return objects.list_object(f"/v1/accounts/{account}/capabilities", caps, False)


@router.get(
    "/v1/accounts/{account}/capabilities/{capability}", params=sp.AccountCapabilityRetrieveParams
)
def capability_retrieve(req: Request, account: str, capability: str) -> dict[str, Any]:
    return _one(load(req, account), capability)


@router.post(
    "/v1/accounts/{account}/capabilities/{capability}", params=sp.AccountCapabilityUpdateParams
)
def capability_update(req: Request, account: str, capability: str) -> dict[str, Any]:
    obj = load(req, account)
    if "requested" in req.params:
        account_model.request_capabilities(
            req.sb, obj, {capability: {"requested": req.params["requested"]}}
        )
    account_state.refresh(req.sb, obj, request=req.stripe_request())
    return account_state.capability_object(obj, capability)
