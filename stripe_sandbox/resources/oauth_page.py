"""The OAuth consent page: sign in to (or create) a sandbox Stripe account,
then approve or deny the platform's request."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from stripe_sandbox import errors, ids, objects
from stripe_sandbox.pages import field, h, page
from stripe_sandbox.resources import account_model, account_state
from stripe_sandbox.resources.control_accounts import make_verified
from stripe_sandbox.resources.oauth import application, issue_code
from stripe_sandbox.router import Request, Response, Router

router = Router()

REQUEST_KIND = "_oauth_request"


@router.get("/oauth/authorize", kind="page")
def authorize(req: Request) -> Response:
    q, sb = req.query, req.sb
    if q.get("client_id") != sb.config.client_id:
        raise errors.StripeError(f"No such application: '{q.get('client_id')}'", status=400)
    if q.get("response_type", "code") != "code":
        raise errors.StripeError("response_type must be 'code'.", status=400)
    redirect_uri = q.get("redirect_uri") or ""
    if not redirect_uri.startswith(("http://", "https://")):
        raise errors.StripeError(
            "A redirect_uri (http or https) is required in the sandbox.", status=400
        )
    scope = q.get("scope") or "read_only"
    if scope not in ("read_write", "read_only"):
        raise errors.StripeError(f"Invalid scope: {scope}", status=400)
    pending = {
        "id": ids.random_token(24),
        "object": REQUEST_KIND,
        "created": sb.clock.now(),
        "scope": scope,
        "state": q.get("state"),
        "redirect_uri": redirect_uri,
        "prefill": q.get("stripe_user") if isinstance(q.get("stripe_user"), dict) else {},
        "account": None,
        "done": False,
    }
    sb.store.insert(pending)
    return Response.redirect(sb.url(f"/oauth/authorize/{pending['id']}"))


def _pending(req: Request, rid: str) -> dict[str, Any]:
    pending = req.sb.store.get(REQUEST_KIND, rid)
    if pending is None:
        raise errors.StripeError("This authorization request does not exist.", status=404)
    if pending["done"]:
        raise errors.StripeError(
            "This authorization request has already been answered.", status=400
        )
    return pending


@router.get("/oauth/authorize/{rid}", kind="page")
def show(req: Request, rid: str) -> Response:
    pending = _pending(req, rid)
    account = req.sb.store.get("account", pending["account"]) if pending["account"] else None
    return _consent(req, pending, account) if account else _sign_in(req, pending, [])


@router.post("/oauth/authorize/{rid}/signin", kind="page")
def sign_in(req: Request, rid: str) -> Response:
    pending = _pending(req, rid)
    email = req.params.get("email", "").strip().lower()
    account = next(
        (
            a
            for a in req.sb.store.all("account")
            if (a.get("email") or "").lower() == email and not objects.private(a).get("platform")
        ),
        None,
    )
    if account is None:
        return _sign_in(
            req, pending, [f"No sandbox Stripe account uses {email or 'that email'}."], 400
        )
    return _choose(req, pending, account)


@router.post("/oauth/authorize/{rid}/create", kind="page")
def create(req: Request, rid: str) -> Response:
    pending = _pending(req, rid)
    p = req.params
    if not p.get("email") or "@" not in p["email"] or not p.get("business_name"):
        return _sign_in(req, pending, ["Enter an email address and a business name."], 400)
    account = account_model.new_account(
        req.sb,
        {
            "email": p["email"].strip(),
            "country": p.get("country") or "US",
            "type": "standard",
            "business_profile": {"name": p["business_name"].strip()},
        },
        connected=False,
    )
    account["controller"] = {"is_controller": False, "type": "account"}
    if p.get("state", "verified") == "verified":
        make_verified(req.sb, account)
    account_state.derive(account, req.sb.clock.now())
    req.sb.store.insert(account)
    return _choose(req, pending, account)


def _choose(req: Request, pending: dict[str, Any], account: dict[str, Any]) -> Response:
    pending["account"] = account["id"]
    req.sb.store.save(pending, kind=REQUEST_KIND)
    return Response.redirect(req.sb.url(f"/oauth/authorize/{pending['id']}"))


@router.post("/oauth/authorize/{rid}/decide", kind="page")
def decide(req: Request, rid: str) -> Response:
    pending = _pending(req, rid)
    account = req.sb.store.get("account", pending["account"] or "")
    pending["done"] = True
    req.sb.store.save(pending, kind=REQUEST_KIND)
    if req.params.get("action") != "approve" or account is None:
        return _back(
            pending, error="access_denied", error_description="The user denied your request"
        )
    objects.private(account)["connected"] = True
    account_state.refresh(req.sb, account, emit=False)
    req.sb.emit(
        "account.application.authorized", application(req.sb), account=account["id"], owner=""
    )
    return _back(
        pending, code=issue_code(req.sb, account["id"], pending["scope"]), scope=pending["scope"]
    )


def _back(pending: dict[str, Any], **params: str) -> Response:
    if pending.get("state") is not None:
        params["state"] = pending["state"]
    uri = pending["redirect_uri"]
    return Response.redirect(uri + ("&" if "?" in uri else "?") + urlencode(params))


def _sign_in(
    req: Request, pending: dict[str, Any], problems: list[str], status: int = 200
) -> Response:
    prefill = pending.get("prefill") or {}
    errs = "".join(f"<p class=error role=alert>{h(p)}</p>" for p in problems)
    rid = h(pending["id"])
    countries = "".join(
        f"<option value={c}{' selected' if prefill.get('country') == c else ''}>{c}</option>"
        for c in ("US", "GB", "CA", "AU", "IE")
    )
    body = (
        f"<h1>Connect to {h(req.sb.config.platform_name)}</h1>"
        "<p class=muted>Sign in to the Stripe account you want to connect, or create one.</p>"
        + errs
        + f"<h2>Sign in</h2><form method=post action='/oauth/authorize/{rid}/signin'>"
        + field("email", "Email", prefill.get("email"), type="email")
        + "<button type=submit>Sign in</button></form>"
        + f"<h2>Create a new Stripe account</h2><form method=post action='/oauth/authorize/{rid}/create'>"
        + field("new_email", "Email", prefill.get("email"), type="email").replace(
            "name=new_email", "name=email"
        )
        + field("business_name", "Business name", prefill.get("business_name"))
        + f"<label for=country>Country</label><select id=country name=country>{countries}</select>"
        + "<label for=state>Account state</label><select id=state name=state>"
        "<option value=verified>Active (already verified)</option>"
        "<option value=incomplete>New (still needs onboarding)</option></select>"
        + "<button type=submit>Create account</button></form>"
        + f"<form method=post action='/oauth/authorize/{rid}/decide'>"
        "<button type=submit name=action value=deny class=secondary>Cancel and return</button></form>"
    )
    return page("Connect with Stripe", body, status=status)


def _consent(req: Request, pending: dict[str, Any], account: dict[str, Any]) -> Response:
    name = (
        (account.get("business_profile") or {}).get("name") or account.get("email") or account["id"]
    )
    access = "read and write" if pending["scope"] == "read_write" else "read-only"
    rid = h(pending["id"])
    body = (
        f"<h1>Connect {h(name)} to {h(req.sb.config.platform_name)}?</h1>"
        f"<p>Signed in as <b>{h(account.get('email') or '')}</b> · <code>{h(account['id'])}</code></p>"
        f"<p>{h(req.sb.config.platform_name)} will get {access} access to this Stripe account: "
        "it can create payments on your behalf and see your account's details.</p>"
        f"<form method=post action='/oauth/authorize/{rid}/decide'><div class=row>"
        "<button type=submit name=action value=approve>Connect my Stripe account</button>"
        "<button type=submit name=action value=deny class=secondary>Deny</button></div></form>"
    )
    return page("Connect with Stripe", body)
