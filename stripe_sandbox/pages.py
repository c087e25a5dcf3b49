"""Layout of the hosted pages: plain HTML, one inline stylesheet, no
external assets, and a banner that says this is the sandbox."""

from __future__ import annotations

from html import escape as h
from typing import Any

from stripe_sandbox.errors import OAuthError, SandboxError, StripeError
from stripe_sandbox.router import Response

__all__ = ["h", "layout", "error_page", "page", "field", "hidden_fields"]

_STYLE = """
*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;
color:#1a1f36;background:#f6f9fc}.sandbox{background:#ffde92;color:#5a3e00;text-align:center;
padding:6px;font-size:13px;font-weight:600;letter-spacing:.02em}main{max-width:560px;margin:32px auto;
background:#fff;border-radius:8px;box-shadow:0 2px 6px rgba(50,50,93,.12);padding:28px 32px}
main.wide{max-width:1080px;overflow-x:auto}h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:22px 0 8px}
.muted{color:#697386;font-size:13px}label{display:block;margin:12px 0 4px;font-weight:600;font-size:13px}
input,select{width:100%;padding:8px 10px;border:1px solid #cfd7df;border-radius:6px;font:inherit}
button,.button{display:inline-block;margin-top:18px;padding:9px 16px;border:0;border-radius:6px;
background:#635bff;color:#fff;font:inherit;font-weight:600;cursor:pointer;text-decoration:none}
button.secondary,.button.secondary{background:#e3e8ee;color:#1a1f36}.row{display:flex;gap:10px;
flex-wrap:wrap}.steps{display:flex;gap:6px;margin:14px 0;font-size:13px}.steps span{padding:3px 8px;
border-radius:10px;background:#e3e8ee}.steps .done{background:#d7f7c2}.steps .current{background:#635bff;
color:#fff}.error{background:#fde2dd;color:#a41c0e;padding:8px 12px;border-radius:6px;margin:10px 0}
table{width:100%;border-collapse:collapse;font-size:13px}td,th{text-align:left;padding:5px 6px;
border-bottom:1px solid #e3e8ee;vertical-align:top}code{font-size:12px;background:#f6f9fc;padding:1px 4px}
.pill{padding:1px 7px;border-radius:9px;background:#e3e8ee;font-size:12px}.ok{background:#d7f7c2}
.bad{background:#fde2dd}.warn{background:#fcedb9}
"""


def layout(title: str, body: str, *, wide: bool = False) -> str:
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        "<meta name=viewport content='width=device-width,initial-scale=1'>"
        f"<title>{h(title)} · Stripe sandbox</title><style>{_STYLE}</style></head><body>"
        "<div class=sandbox>Stripe sandbox — test data only, no real money moves</div>"
        f"<main{' class=wide' if wide else ''}>{body}</main></body></html>"
    )


def page(title: str, body: str, *, status: int = 200, wide: bool = False) -> Response:
    return Response.html(layout(title, body, wide=wide), status=status)


def error_page(exc: SandboxError) -> Response:
    if isinstance(exc, StripeError):
        message = exc.message
    elif isinstance(exc, OAuthError):
        message = f"{exc.error}: {exc.description}"
    else:
        message = str(exc)
    body = f"<h1>Something went wrong</h1><p class=error>{h(message)}</p>"
    return page("Error", body, status=exc.status)


def field(
    name: str,
    label: str,
    value: Any = "",
    *,
    type: str = "text",
    required: bool = True,
    extra: str = "",
) -> str:
    req = " required" if required else ""
    val = "" if value is None else h(str(value))
    return (
        f"<label for={h(name)}>{h(label)}</label>"
        f'<input id={h(name)} name={h(name)} type={type} value="{val}"{req} {extra}>'
    )


def hidden_fields(values: dict[str, Any]) -> str:
    return "".join(
        f'<input type=hidden name="{h(k)}" value="{h(str(v))}">'
        for k, v in values.items()
        if v is not None
    )
