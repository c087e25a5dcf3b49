"""The sandbox dashboard: what the Stripe dashboard link opens in sandbox
mode. Accounts, payments (sections other modules register), events and
their deliveries.

    from stripe_sandbox.resources.dashboard import register_section
    register_section("payment_intent", "Payments", ["id", "amount", "currency", "status"])
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from stripe_sandbox import errors, objects
from stripe_sandbox.pages import h, page
from stripe_sandbox.resources import account_model
from stripe_sandbox.router import Request, Response, Router
from stripe_sandbox.store import ANY_ACCOUNT

router = Router()


@dataclass
class Section:
    kind: str
    title: str
    columns: list[str]


SECTIONS: list[Section] = []
_TIME_COLUMNS = {"created", "at", "current_deadline", "expires_at", "arrival_date"}


def register_section(kind: str, title: str, columns: list[str]) -> None:
    if not any(s.kind == kind and s.title == title for s in SECTIONS):
        SECTIONS.append(Section(kind, title, columns))


def _when(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return f"<span class='pill {'ok' if value else 'bad'}'>{'yes' if value else 'no'}</span>"
    if value is None:
        return "<span class=muted>—</span>"
    if isinstance(value, dict | list):
        return f"<code>{h(json.dumps(value)[:80])}</code>"
    return h(str(value))


def _table(rows: list[dict[str, Any]], columns: list[str], link=None) -> str:
    if not rows:
        return "<p class=muted>None yet.</p>"
    head = "".join(f"<th>{h(c.replace('_', ' '))}</th>" for c in columns)
    body = ""
    for row in rows:
        cells = []
        for c in columns:
            raw = row.get(c)
            is_time = c in _TIME_COLUMNS and isinstance(raw, int) and not isinstance(raw, bool)
            value = h(_when(raw)) if is_time else _cell(raw)
            if c == "id" and link:
                value = f"<a href='{h(link(row))}'>{value}</a>"
            cells.append(f"<td>{value}</td>")
        body += "<tr>" + "".join(cells) + "</tr>"
    return f"<table><tr>{head}</tr>{body}</table>"


def _events(req: Request, account: Any, limit: int = 50) -> str:
    events, _ = req.sb.store.list("event", account=account, limit=limit)
    rows = []
    for e in events:
        deliveries = req.sb.delivery.for_event(e["id"])
        summary = ", ".join(f"{d['status']} ({d['attempts']})" for d in deliveries) or "no endpoint"
        rows.append(
            {
                "id": e["id"],
                "type": e["type"],
                "account": e.get("account"),
                "created": e["created"],
                "deliveries": summary,
            }
        )
    return _table(
        rows,
        ["id", "type", "account", "created", "deliveries"],
        link=lambda r: f"/dashboard/events/{r['id']}",
    )


def _sections(req: Request, account: Any) -> str:
    html = ""
    for section in SECTIONS:
        items, _ = req.sb.store.list(section.kind, account=account, limit=50)
        html += f"<h2>{h(section.title)}</h2>" + _table(items, section.columns)
    return html


@router.get("/dashboard", kind="page")
def dashboard(req: Request) -> Response:
    accounts = req.sb.store.all("account")
    rows = [
        {
            **a,
            "connected": "platform"
            if objects.private(a).get("platform")
            else objects.private(a).get("connected", False),
            "name": (a.get("business_profile") or {}).get("name"),
        }
        for a in accounts
    ]
    body = (
        f"<h1>Sandbox dashboard</h1><p class=muted>Platform {h(req.sb.config.platform_name)} · "
        f"sandbox clock {_when(req.sb.clock.now())}</p><h2>Accounts</h2>"
        + _table(
            rows,
            [
                "id",
                "name",
                "email",
                "country",
                "connected",
                "details_submitted",
                "charges_enabled",
                "payouts_enabled",
            ],
            link=lambda r: f"/dashboard/accounts/{r['id']}",
        )
        + _sections(req, ANY_ACCOUNT)
        + "<h2>Recent events</h2>"
        + _events(req, ANY_ACCOUNT)
    )
    return page("Dashboard", body, wide=True)


@router.get("/dashboard/accounts/{account}", kind="page")
def dashboard_account(req: Request, account: str) -> Response:
    obj = req.sb.store.get("account", account)
    if obj is None:
        raise errors.StripeError(f"No such account: {account}", status=404)
    reqs = obj["requirements"]
    caps = [{"id": k, "status": v} for k, v in sorted(obj["capabilities"].items())]
    body = (
        f"<p><a href='/dashboard'>← All accounts</a></p><h1>{h(obj.get('email') or account)}</h1>"
        f"<p><code>{h(account)}</code> · {h(obj['country'])} · {h(obj['default_currency'])} · "
        f"dashboard {h(account_model.dashboard_type(obj))}</p>"
        + _table(
            [
                {
                    "details_submitted": obj["details_submitted"],
                    "charges_enabled": obj["charges_enabled"],
                    "payouts_enabled": obj["payouts_enabled"],
                    "disabled_reason": reqs["disabled_reason"],
                    "current_deadline": reqs["current_deadline"],
                }
            ],
            [
                "details_submitted",
                "charges_enabled",
                "payouts_enabled",
                "disabled_reason",
                "current_deadline",
            ],
        )
        + "<h2>Requirements</h2>"
        + _table(
            [
                {"list": k, "items": ", ".join(reqs[k]) or None}
                for k in ("currently_due", "past_due", "eventually_due", "pending_verification")
            ],
            ["list", "items"],
        )
        + "<h2>Capabilities</h2>"
        + _table(caps, ["id", "status"])
        + f"<p><a href='/dashboard/accounts/{h(account)}/settings/payment_methods'>"
        "Payment methods settings</a></p>"
        + _sections(req, account)
        + "<h2>Events</h2>"
        + _events(req, account)
    )
    return page(f"Account {account}", body, wide=True)


@router.get("/dashboard/events/{event}", kind="page")
def dashboard_event(req: Request, event: str) -> Response:
    obj = req.sb.store.get("event", event)
    if obj is None:
        raise errors.StripeError(f"No such event: {event}", status=404)
    deliveries = req.sb.delivery.for_event(event)
    attempts = [
        {**a, "endpoint": d["endpoint"], "delivery": d["status"]}
        for d in deliveries
        for a in d["log"]
    ]
    body = (
        f"<p><a href='/dashboard'>← Dashboard</a></p><h1>{h(obj['type'])}</h1>"
        f"<p><code>{h(event)}</code></p><h2>Deliveries</h2>"
        + _table(
            [{k: d[k] for k in ("endpoint", "status", "attempts")} for d in deliveries],
            ["endpoint", "status", "attempts"],
        )
        + "<h2>Attempts</h2>"
        + _table(attempts, ["endpoint", "attempt", "at", "status", "error", "ms"])
        + f"<h2>Payload</h2><pre><code>{h(json.dumps(obj, indent=2))}</code></pre>"
    )
    return page(f"Event {event}", body, wide=True)


@router.get("/", kind="page")
def home(req: Request) -> Response:
    return Response.redirect(req.sb.url("/dashboard"))
