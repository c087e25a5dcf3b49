"""Account Links: single-use URLs to the hosted onboarding, valid 5 minutes."""

from __future__ import annotations

from typing import Any

import stripe.params as sp

from stripe_sandbox import errors, ids
from stripe_sandbox.resources import account_model
from stripe_sandbox.resources.accounts import load
from stripe_sandbox.router import Request, Router

router = Router()

LINK_KIND = "_account_link"
LIFETIME = 300


def _check(p: dict[str, Any], account: dict[str, Any]) -> None:
    if p["type"] not in ("account_onboarding", "account_update"):
        raise errors.invalid_request(
            f"Invalid type: {p['type']}", param="type", code="parameter_invalid_string"
        )
    if p["type"] == "account_update" and account_model.dashboard_type(account) == "full":
        raise errors.invalid_request(
            "You cannot create `account_update` type Account Links for accounts with access to "
            "the full Stripe Dashboard. Use `account_onboarding` instead.",
            param="type",
        )
    for name in ("refresh_url", "return_url"):
        if not p.get(name):
            raise errors.invalid_request(
                f"Missing required param: {name}.", param=name, code="parameter_missing"
            )
        if not p[name].startswith(("http://", "https://")):
            raise errors.invalid_request(f"Not a valid URL: {name}", param=name, code="url_invalid")


@router.post("/v1/account_links", params=sp.AccountLinkCreateParams)
def account_link_create(req: Request) -> dict[str, Any]:
    p = req.params
    account = load(req, p["account"])
    _check(p, account)
    now = req.sb.clock.now()
    token = ids.random_token(12)
    req.sb.store.insert(
        {
            "id": token,
            "object": LINK_KIND,
            "created": now,
            "account": account["id"],
            "type": p["type"],
            "refresh_url": p["refresh_url"],
            "return_url": p["return_url"],
            "expires_at": now + LIFETIME,
            "used": False,
        },
        account=account["id"],
    )
    return {
        "object": "account_link",
        "created": now,
        "expires_at": now + LIFETIME,
        "url": req.sb.url(f"/setup/s/{account['id']}/{token}"),
    }
