"""Xero's identity service: the consent page (sign in is implied: one sandbox user),
the token endpoint, revocation, and `/connections`."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlparse

from accounting_sandbox import oauth
from accounting_sandbox.errors import OAuthError, PageError, xero_problem
from accounting_sandbox.ids import new_uuid, token
from accounting_sandbox.pages import h, hidden, page
from accounting_sandbox.router import Request, Response, Router
from accounting_sandbox.xero import model

router = Router()
AUTHORIZE = "/xero/identity/connect/authorize"


def redirect_ok(sb: Any, uri: str) -> bool:
    if sb.config.redirect_uris:
        return uri in sb.config.redirect_uris
    return urlparse(uri).scheme in ("http", "https")


def _with_query(uri: str, params: dict[str, str]) -> str:
    return uri + ("&" if "?" in uri else "?") + urlencode(params)


@router.get(AUTHORIZE, kind="page")
def authorize(req: Request) -> Response:
    q = req.query
    if q.get("client_id") != req.sb.config.xero_client_id:
        raise PageError("unauthorized_client", "Unknown client or client not enabled.")
    redirect_uri = q.get("redirect_uri", "")
    if not redirect_ok(req.sb, redirect_uri):
        raise PageError("invalid_request", "Invalid redirect_uri.")
    state = {"state": q["state"]} if "state" in q else {}
    if q.get("response_type") != "code":
        return Response.redirect(
            _with_query(redirect_uri, {"error": "unsupported_response_type", **state})
        )
    scopes = q.get("scope", "").split()
    problem = model.scope_problem(req.sb, scopes)
    if problem:
        return Response.redirect(
            _with_query(
                redirect_uri, {"error": "invalid_scope", "error_description": problem, **state}
            )
        )
    return _consent(req, q, scopes)


def _consent(req: Request, q: dict[str, str], scopes: list[str], error: str = "") -> Response:
    boxes = "".join(
        f"<label><input type=checkbox name=tenant value='{h(o['_tenant'])}'> {h(o['Name'])}"
        f" <span class=muted>({h(o['CountryCode'])}, {h(o['BaseCurrency'])})</span></label>"
        for o in model.orgs(req.sb)
    )
    keep = {k: q.get(k, "") for k in ("client_id", "redirect_uri", "scope", "state")}
    body = (
        "<h1>Firmpay wants access to your Xero organisations</h1>"
        f"<p class=muted>Signed in as {h(model.USER_EMAIL)}. The app asks for: "
        f"<code>{h(' '.join(scopes))}</code></p>"
        + (f"<p class=error role=alert>{h(error)}</p>" if error else "")
        + f"<form method=post action=/xero/identity/connect/consent>{hidden(keep)}"
        f"<h2>Organisations</h2>{boxes}"
        "<button name=decision value=allow>Allow access</button>"
        "<button class=secondary name=decision value=deny formnovalidate>Cancel</button></form>"
    )
    return page("Allow access", body, vendor="xero")


@router.post("/xero/identity/connect/consent", kind="page")
def consent(req: Request) -> Response:
    p = req.params
    if p.get("client_id") != req.sb.config.xero_client_id or not redirect_ok(
        req.sb, p.get("redirect_uri", "")
    ):
        raise PageError("unauthorized_client", "Unknown client or redirect URI.")
    scopes = p.get("scope", "").split()
    state = {"state": p["state"]} if p.get("state") else {}
    if model.scope_problem(req.sb, scopes):
        raise PageError("invalid_scope", model.scope_problem(req.sb, scopes))
    if p.get("decision") != "allow":
        return Response.redirect(
            _with_query(
                p["redirect_uri"],
                {"error": "access_denied", "error_description": "The user denied access", **state},
            )
        )
    tenants = p.get("tenant") or []
    tenants = [tenants] if isinstance(tenants, str) else tenants
    tenants = [t for t in tenants if model.org(req.sb, t)]
    if not tenants:
        return _consent(req, p, scopes, "Choose at least one organisation.")
    event = new_uuid()
    for tenant in tenants:
        model.connect(
            req.sb, user=model.USER, client_id=p["client_id"], tenant=tenant, auth_event_id=event
        )
    grant = {
        "user": model.USER,
        "email": model.USER_EMAIL,
        "scopes": scopes,
        "auth_event_id": event,
        "auth_time": req.sb.clock.now(),
    }
    code = oauth.code_issue(
        req.sb, "xero", client_id=p["client_id"], redirect_uri=p["redirect_uri"], grant=grant
    )
    return Response.redirect(
        _with_query(
            p["redirect_uri"],
            {"code": code, "scope": " ".join(scopes), **state, "session_state": token(24)},
        )
    )


@router.post("/xero/connect/token", kind="xero_identity")
def token_endpoint(req: Request) -> dict[str, Any]:
    client_id, secret = oauth.basic_auth(req.headers, req.params)
    oauth.client_check(req.sb, "xero", client_id, secret)
    grant_type = req.params.get("grant_type")
    if grant_type == "authorization_code":
        return oauth.code_exchange(
            req.sb,
            "xero",
            client_id=client_id,
            code=req.params.get("code", ""),
            redirect_uri=req.params.get("redirect_uri", ""),
        )
    if grant_type == "refresh_token":
        return oauth.refresh(
            req.sb, "xero", client_id=client_id, refresh_token=req.params.get("refresh_token", "")
        )
    raise OAuthError("unsupported_grant_type")


@router.post("/xero/connect/revocation", kind="xero_identity")
def revocation(req: Request) -> Response:
    client_id, secret = oauth.basic_auth(req.headers, req.params)
    oauth.client_check(req.sb, "xero", client_id, secret)
    grant = oauth.revoke(
        req.sb, "xero", client_id=client_id, token_value=req.params.get("token", "")
    )
    if grant is not None:
        for conn in model.connections_of(req.sb, user=grant["user"], client_id=client_id):
            req.sb.store.delete("xero", "", "connection", conn["id"])
    return Response(status=200, body=b"")


@router.get("/xero/connections", kind="xero_connections", answer="Connection")
def connections_list(req: Request) -> list[dict[str, Any]]:
    rows = model.connections_of(req.sb, user=req.grant["user"], client_id=req.grant["client_id"])
    event = req.query.get("authEventId")
    if event:
        rows = [c for c in rows if c["authEventId"] == event]
    return [model.public_connection(c) for c in rows]


@router.delete("/xero/connections/{connection_id}", kind="xero_connections")
def connection_delete(req: Request, connection_id: str) -> Response:
    conn = req.sb.store.get("xero", "", "connection", connection_id)
    if (
        conn is None
        or conn["user"] != req.grant["user"]
        or conn["client_id"] != req.grant["client_id"]
    ):
        raise xero_problem(404, "Not Found", "Resource not found")
    req.sb.store.delete("xero", "", "connection", connection_id)
    return Response(status=204, body=b"")
