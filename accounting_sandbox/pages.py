"""Layout of the sandbox's HTML: consent pages and the ledger. Plain HTML, one inline
stylesheet, and a banner on every page that says this is the sandbox."""

from __future__ import annotations

from html import escape as h

from accounting_sandbox.router import Response

__all__ = ["h", "layout", "page", "error_page", "hidden"]

_STYLE = """
*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;
color:#1a2330;background:#f3f5f8}.sandbox{background:#ffde92;color:#5a3e00;text-align:center;
padding:6px;font-size:13px;font-weight:600}main{max-width:600px;margin:32px auto;background:#fff;
border-radius:8px;box-shadow:0 2px 6px rgba(40,50,90,.12);padding:28px 32px}main.wide{max-width:1100px}
h1{font-size:22px;margin:0 0 6px}h2{font-size:17px;margin:24px 0 8px}.muted{color:#5f6b7a;font-size:13px}
label{display:block;margin:8px 0}button{margin:18px 8px 0 0;padding:9px 18px;border:0;border-radius:6px;
background:#13b5ea;color:#fff;font:inherit;font-weight:600;cursor:pointer}button.secondary{background:#e3e8ee;
color:#1a2330}.qbo button{background:#2ca01c}.error{background:#fde2dd;color:#a41c0e;padding:8px 12px;
border-radius:6px}table{width:100%;border-collapse:collapse;font-size:13px}td,th{text-align:left;padding:5px 6px;
border-bottom:1px solid #e3e8ee;vertical-align:top}code{font-size:12px}.pill{padding:1px 7px;border-radius:9px;
background:#e3e8ee;font-size:12px}
"""


def layout(title: str, body: str, *, wide: bool = False, vendor: str = "") -> str:
    banner = {"xero": "Xero sandbox", "quickbooks": "QuickBooks Online sandbox"}.get(
        vendor, "Accounting sandbox (Xero and QuickBooks Online)"
    )
    classes = " ".join(
        c for c in ("wide" if wide else "", "qbo" if vendor == "quickbooks" else "") if c
    )
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        "<meta name=viewport content='width=device-width,initial-scale=1'>"
        f"<title>{h(title)} · {banner}</title><style>{_STYLE}</style></head><body>"
        f"<div class=sandbox>{banner} — test data only, not a real ledger</div>"
        f"<main class='{classes}'>{body}</main></body></html>"
    )


def page(
    title: str, body: str, *, status: int = 200, wide: bool = False, vendor: str = ""
) -> Response:
    return Response.html(layout(title, body, wide=wide, vendor=vendor), status=status)


def error_page(title: str, message: str, status: int = 400) -> Response:
    return page(
        title, f"<h1>{h(title)}</h1><p class=error role=alert>{h(message)}</p>", status=status
    )


def hidden(values: dict[str, str]) -> str:
    return "".join(
        f'<input type=hidden name="{h(k)}" value="{h(str(v))}">' for k, v in values.items()
    )
