"""OAuth for connecting an existing account: /oauth/token and /oauth/deauthorize.

Codes are single use: a second exchange is `invalid_grant` and, as at
Stripe, revokes the tokens the code had produced.
"""

from __future__ import annotations

from typing import Any

from stripe import OAuth

from stripe_sandbox import auth, ids, objects
from stripe_sandbox.errors import OAuthError
from stripe_sandbox.router import Request, Response, Router
from stripe_sandbox.sandbox import Sandbox

router = Router()

CODE_KIND = "_oauth_code"
REFRESH_KIND = "_oauth_refresh"
CODE_LIFETIME = 300


def application(sb: Sandbox) -> dict[str, Any]:
    return {"id": sb.config.client_id, "object": "application", "name": sb.config.platform_name}


def issue_code(sb: Sandbox, account_id: str, scope: str) -> str:
    code = "ac_" + ids.random_token(32)
    sb.store.insert(
        {
            "id": code,
            "object": CODE_KIND,
            "created": sb.clock.now(),
            "account": account_id,
            "scope": scope,
            "used": False,
            "tokens": [],
        },
        account=account_id,
    )
    return code


def _grant(sb: Sandbox, account_id: str, scope: str) -> dict[str, Any]:
    access = "sk_test_" + ids.random_token(40)
    refresh = "rt_" + ids.random_token(40)
    sb.store.insert(
        {
            "id": access,
            "object": auth.API_KEY_KIND,
            "created": sb.clock.now(),
            "account": account_id,
        },
        account=account_id,
    )
    sb.store.insert(
        {
            "id": refresh,
            "object": REFRESH_KIND,
            "created": sb.clock.now(),
            "account": account_id,
            "scope": scope,
        },
        account=account_id,
    )
    return {
        "access_token": access,
        "livemode": False,
        "refresh_token": refresh,
        "scope": scope,
        "stripe_publishable_key": "pk_test_" + ids.random_token(40),
        "stripe_user_id": account_id,
        "token_type": "bearer",
    }


@router.post("/oauth/token", kind="oauth", params=OAuth.OAuthTokenParams)
def token(req: Request) -> dict[str, Any] | Response:
    _platform_only(req)
    p = req.params
    if p["grant_type"] == "refresh_token":
        return _refresh(req, p.get("refresh_token") or "")
    code_id = p.get("code") or ""
    code = req.sb.store.get(CODE_KIND, code_id)
    if code is None:
        raise OAuthError("invalid_grant", f"Authorization code does not exist: {code_id}")
    if code["used"]:
        for token_id in code["tokens"]:
            req.sb.store.delete(auth.API_KEY_KIND, token_id)
        # Answered, not raised: the revocation above must be committed.
        error = OAuthError(
            "invalid_grant",
            "This authorization code has already been used. "
            "All tokens issued with this code have been revoked.",
        )
        return Response.json(error.body(), status=error.status)
    if code["created"] + CODE_LIFETIME < req.sb.clock.now():
        raise OAuthError("invalid_grant", f"Authorization code expired: {code_id}")
    if not auth.connected(req.sb, code["account"]):
        raise OAuthError("invalid_grant", "The account behind this code is no longer connected.")
    grant = _grant(req.sb, code["account"], code["scope"])
    code.update(used=True, tokens=[grant["access_token"]])
    req.sb.store.save(code, kind=CODE_KIND)
    return grant


def _refresh(req: Request, refresh_token: str) -> dict[str, Any]:
    found = req.sb.store.get(REFRESH_KIND, refresh_token)
    if found is None or not auth.connected(req.sb, found["account"]):
        raise OAuthError("invalid_grant", f"Invalid refresh token: {refresh_token}")
    return _grant(req.sb, found["account"], found["scope"])


@router.post("/oauth/deauthorize", kind="oauth", params=OAuth.OAuthDeauthorizeParams)
def deauthorize(req: Request) -> dict[str, Any]:
    _platform_only(req)
    client_id, account_id = req.params.get("client_id"), req.params["stripe_user_id"]
    if client_id != req.sb.config.client_id:
        raise OAuthError("invalid_client", f"No such application: '{client_id}'")
    account = req.sb.store.get("account", account_id)
    if account is None or not objects.private(account).get("connected"):
        raise OAuthError(
            "invalid_client",
            f"This application is not connected to stripe account "
            f"{account_id}, or that account does not exist.",
        )
    disconnect(req.sb, account, request=req.stripe_request())
    return {"stripe_user_id": account_id}


def disconnect(
    sb: Sandbox, account: dict[str, Any], *, request: dict[str, Any] | None = None
) -> None:
    objects.private(account)["connected"] = False
    sb.store.save(account)
    sb.store.execute(
        "DELETE FROM objects WHERE kind IN (?, ?) AND account = ?",
        (auth.API_KEY_KIND, REFRESH_KIND, account["id"]),
    )
    sb.emit(
        "account.application.deauthorized",
        application(sb),
        account=account["id"],
        owner="",
        request=request,
    )


def _platform_only(req: Request) -> None:
    if not req.is_platform:
        raise OAuthError(
            "invalid_client", "Use the platform's secret key for OAuth calls.", status=401
        )
