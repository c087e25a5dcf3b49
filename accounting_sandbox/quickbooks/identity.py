"""Intuit's OAuth 2.0: the consent page (the user picks one company), the token endpoint
(rotating refresh tokens) and revocation."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from accounting_sandbox import oauth
from accounting_sandbox.errors import OAuthError, PageError
from accounting_sandbox.pages import h, hidden, page
from accounting_sandbox.quickbooks import model
from accounting_sandbox.router import Request, Response, Router
from accounting_sandbox.xero.identity import redirect_ok

router = Router()
SCOPES = {
    "com.intuit.quickbooks.accounting",
    "com.intuit.quickbooks.payment",
    "openid",
    "profile",
    "email",
    "phone",
    "address",
}
USER = "qbo-sandbox-user-1"


def _with_query(uri: str, params: dict[str, str]) -> str:
    return uri + ("&" if "?" in uri else "?") + urlencode(params)


@router.get("/quickbooks/connect/oauth2", kind="page")
def authorize(req: Request) -> Response:
    q = req.query
    if q.get("client_id") != req.sb.config.quickbooks_client_id:
        raise PageError("invalid_client", "The client id is not valid.")
    if not redirect_ok(req.sb, q.get("redirect_uri", "")):
        raise PageError("invalid_redirect_uri", "The redirect URI is not registered for this app.")
    scopes = q.get("scope", "").split()
    state = {"state": q["state"]} if "state" in q else {}
    if not scopes or set(scopes) - SCOPES:
        return Response.redirect(
            _with_query(q["redirect_uri"], {"error": "invalid_scope", **state})
        )
    return _consent(req, q)


def _consent(req: Request, q: dict[str, str], error: str = "") -> Response:
    choices = "".join(
        f"<label><input type=radio name=realm value='{h(c['realm'])}'> {h(c['CompanyName'])}"
        f" <span class=muted>({h(c['Country'])}, {h(c['currency'])})</span></label>"
        for c in model.companies(req.sb)
    )
    keep = {k: q.get(k, "") for k in ("client_id", "redirect_uri", "scope", "state")}
    body = (
        "<h1>Connect Firmpay to QuickBooks</h1>"
        "<p class=muted>Firmpay wants to read and write your accounting data.</p>"
        + (f"<p class=error role=alert>{h(error)}</p>" if error else "")
        + f"<form method=post action=/quickbooks/connect/consent>{hidden(keep)}"
        f"<h2>Choose a company</h2>{choices}"
        "<button name=decision value=allow>Connect</button>"
        "<button class=secondary name=decision value=deny>Cancel</button></form>"
    )
    return page("Connect", body, vendor="quickbooks")


@router.post("/quickbooks/connect/consent", kind="page")
def consent(req: Request) -> Response:
    p = req.params
    if p.get("client_id") != req.sb.config.quickbooks_client_id or not redirect_ok(
        req.sb, p.get("redirect_uri", "")
    ):
        raise PageError("invalid_client", "Unknown client or redirect URI.")
    state = {"state": p["state"]} if p.get("state") else {}
    if p.get("decision") != "allow":
        return Response.redirect(
            _with_query(p["redirect_uri"], {"error": "access_denied", **state})
        )
    realm = p.get("realm", "")
    if model.company(req.sb, realm) is None:
        return _consent(req, p, "Choose a company.")
    grant = {"user": USER, "realm": realm, "scopes": p.get("scope", "").split()}
    code = oauth.code_issue(
        req.sb, "quickbooks", client_id=p["client_id"], redirect_uri=p["redirect_uri"], grant=grant
    )
    return Response.redirect(
        _with_query(p["redirect_uri"], {"code": code, **state, "realmId": realm})
    )


@router.post("/quickbooks/oauth2/v1/tokens/bearer", kind="qbo_oauth")
def token_endpoint(req: Request) -> dict[str, Any]:
    client_id, secret = oauth.basic_auth(req.headers, req.params)
    oauth.client_check(req.sb, "quickbooks", client_id, secret)
    grant_type = req.params.get("grant_type")
    if grant_type == "authorization_code":
        return oauth.code_exchange(
            req.sb,
            "quickbooks",
            client_id=client_id,
            code=req.params.get("code", ""),
            redirect_uri=req.params.get("redirect_uri", ""),
        )
    if grant_type == "refresh_token":
        return oauth.refresh(
            req.sb,
            "quickbooks",
            client_id=client_id,
            refresh_token=req.params.get("refresh_token", ""),
        )
    raise OAuthError("unsupported_grant_type")


@router.post("/quickbooks/v2/oauth2/tokens/revoke", kind="qbo_oauth")
def revoke(req: Request) -> Response:
    client_id, secret = oauth.basic_auth(req.headers, req.params)
    oauth.client_check(req.sb, "quickbooks", client_id, secret)
    oauth.revoke(req.sb, "quickbooks", client_id=client_id, token_value=req.params.get("token", ""))
    return Response(status=200, body=b"")
