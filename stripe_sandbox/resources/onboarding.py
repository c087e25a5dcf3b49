"""The hosted onboarding page an Account Link opens.

Opening a link spends it and starts an onboarding session (its own URL, so
reloads work); a spent, expired or unknown link sends the browser to the
link's `refresh_url`, as Stripe does. "Save and exit" keeps what was valid
and returns to `return_url` with the account still incomplete.
"""

from __future__ import annotations

from typing import Any

from stripe_sandbox import errors, ids
from stripe_sandbox.pages import h, hidden_fields, page
from stripe_sandbox.resources import account_state
from stripe_sandbox.resources.account_links import LINK_KIND
from stripe_sandbox.resources.onboarding_steps import (
    STEPS,
    apply,
    first_open,
    form,
    step_done,
    visible_steps,
)
from stripe_sandbox.router import Request, Response, Router

router = Router()

SESSION_KIND = "_onboarding_session"
SESSION_LIFETIME = 3600


@router.get("/setup/s/{account}/{token}", kind="page")
def link_open(req: Request, account: str, token: str) -> Response:
    sb = req.sb
    link = sb.store.get(LINK_KIND, token)
    if link is None or link["account"] != account:
        raise errors.StripeError("This onboarding link is not valid.", status=404)
    if (
        link["used"]
        or link["expires_at"] <= sb.clock.now()
        or sb.store.get("account", account) is None
    ):
        return Response.redirect(link["refresh_url"])
    link["used"] = True
    sb.store.save(link, kind=LINK_KIND)
    session = {
        "id": ids.random_token(20),
        "object": SESSION_KIND,
        "created": sb.clock.now(),
        "account": account,
        "return_url": link["return_url"],
        "refresh_url": link["refresh_url"],
        "open": True,
        "expires_at": sb.clock.now() + SESSION_LIFETIME,
    }
    sb.store.insert(session, account=account)
    return Response.redirect(sb.url(f"/setup/session/{session['id']}"))


def _session(
    req: Request, sid: str
) -> tuple[dict[str, Any] | None, dict[str, Any] | None, Response | None]:
    session = req.sb.store.get(SESSION_KIND, sid)
    if session is None:
        raise errors.StripeError("This onboarding session does not exist.", status=404)
    account = req.sb.store.get("account", session["account"])
    if not session["open"] or session["expires_at"] <= req.sb.clock.now() or account is None:
        return None, None, Response.redirect(session["refresh_url"])
    return session, account, None


@router.get("/setup/session/{sid}", kind="page")
def session_show(req: Request, sid: str) -> Response:
    session, account, gone = _session(req, sid)
    if gone:
        return gone
    wanted = (req.query.get("step") or "") if isinstance(req.query.get("step"), str) else ""
    step = next((s for s in visible_steps(account) if s.name == wanted), None) or first_open(
        account
    )
    return _render(req, session, account, step, [])


@router.post("/setup/session/{sid}/{step_name}", kind="page")
def session_submit(req: Request, sid: str, step_name: str) -> Response:
    session, account, gone = _session(req, sid)
    if gone:
        return gone
    step = next((s for s in STEPS if s.name == step_name), None)
    if step is None:
        raise errors.StripeError("Unknown onboarding step.", status=404)
    leaving = req.params.get("action") == "save_exit"
    problems = apply(
        req.sb, step, account, req.params, req.files, partial=leaving, ip=req.client_ip
    )
    if problems:
        return _render(req, session, account, step, problems, status=400)
    account_state.refresh(req.sb, account)
    if leaving or account.get("details_submitted"):
        session["open"] = False
        req.sb.store.save(session, kind=SESSION_KIND)
        return Response.redirect(session["return_url"])
    return Response.redirect(req.sb.url(f"/setup/session/{sid}?step={first_open(account).name}"))


def _render(
    req: Request,
    session: dict[str, Any],
    account: dict[str, Any],
    step,
    problems: list[str],
    status: int = 200,
) -> Response:
    steps = "".join(
        f"<span class={'current' if s.name == step.name else 'done' if step_done(s, account) else ''}>"
        f"{h(s.title)}</span>"
        for s in visible_steps(account)
    )
    errs = "".join(f"<p class=error role=alert>{h(p)}</p>" for p in problems)
    enctype = " enctype=multipart/form-data" if step.name == "document" else ""
    last = step.name == "review"
    body = (
        f"<p class=muted>Onboarding for <code>{h(account['id'])}</code> · "
        f"{h(req.sb.config.platform_name)} partners with Stripe for payments</p>"
        f"<h1>{h(step.title)}</h1><div class=steps>{steps}</div>{errs}"
        f"<form method=post action='/setup/session/{h(session['id'])}/{step.name}'{enctype}>"
        f"{form(step, account)}{hidden_fields({})}<div class=row>"
        f"<button type=submit name=action value=continue>{'Agree and submit' if last else 'Continue'}</button>"
        "<button type=submit name=action value=save_exit class=secondary formnovalidate>Save and exit</button>"
        "</div></form>"
    )
    return page("Set up payments", body, status=status)
