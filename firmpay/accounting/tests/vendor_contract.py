"""Every request Firmpay sends to Xero or QuickBooks, judged by the vendors' own definitions
(Xero's OpenAPI files, Intuit's XSDs, as vendored with the accounting sandbox) rather than
by our fakes. The suite-wide collector (`conftest.py`) hands each request the providers
send (`REQUEST_HOOKS`) to `record`; `problems` lists what the definitions refuse.

Stricter than the formats on purpose, like the sandbox: an operation, query parameter or
body property the definition does not have is a problem. The schema part is the accounting
sandbox's `validate.request_problems`; here are the headers, limits and OAuth forms beside
it."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

import httpx
from django.conf import settings

from accounting_sandbox.validate import request_problems

TOKEN_GRANTS = {
    "authorization_code": {"grant_type", "code", "redirect_uri"},
    "refresh_token": {"grant_type", "refresh_token"},
}


@dataclass
class Sent:
    vendor: str
    kind: str  # api, identity, token, revoke
    method: str
    url: str
    path: str
    query: dict
    headers: dict
    body: bytes
    problems: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.vendor} {self.method} {self.path}: " + "; ".join(self.problems)


def _where(url: str) -> tuple[str, str, str] | None:
    """(vendor, kind, path within the API) for a vendor URL as Firmpay's settings name them."""
    bases = [
        ("xero", "token", settings.XERO_TOKEN_URL),
        ("xero", "revoke", settings.XERO_REVOKE_URL),
        ("xero", "api", settings.XERO_API_BASE.rstrip("/") + "/api.xro/2.0"),
        ("xero", "identity", settings.XERO_API_BASE.rstrip("/") + "/connections"),
        ("quickbooks", "token", settings.QUICKBOOKS_TOKEN_URL),
        ("quickbooks", "revoke", settings.QUICKBOOKS_REVOKE_URL),
        ("quickbooks", "api", settings.QUICKBOOKS_API_BASE.rstrip("/") + "/v3/company/"),
    ]
    plain = url.split("?", 1)[0]
    for vendor, kind, base in bases:
        if plain.startswith(base):
            rest = plain[len(base) :]
            return vendor, kind, ("/connections" + rest) if kind == "identity" else rest
    return None


def record(request: httpx.Request, into: list[Sent]) -> None:
    place = _where(str(request.url))
    if place is None:
        return
    vendor, kind, path = place
    request.read()
    sent = Sent(
        vendor=vendor,
        kind=kind,
        method=request.method,
        url=str(request.url),
        path=path,
        query=dict(parse_qsl(urlsplit(str(request.url)).query, keep_blank_values=True)),
        headers={k.lower(): v for k, v in request.headers.items()},
        body=request.content,
    )
    sent.problems = problems(sent)
    into.append(sent)


def problems(sent: Sent) -> list[str]:
    check = {
        ("xero", "api"): _xero_api,
        ("xero", "identity"): _xero_identity,
        ("quickbooks", "api"): _qbo_api,
    }.get((sent.vendor, sent.kind), _token)
    return check(sent)


# --- the API --------------------------------------------------------------------------


def _schemas(sent: Sent) -> list[str]:
    """The operation, its query parameters and its body, by the vendors' definitions (the
    accounting sandbox's `validate.request_problems`, shared with the sandbox itself)."""
    body = sent.body if sent.method in ("POST", "PUT") else None
    return [str(p) for p in request_problems(sent.method, sent.url, body)]


def _xero_api(sent: Sent) -> list[str]:
    found = _schemas(sent)
    if "xero-tenant-id" not in sent.headers:
        found.append("Xero-Tenant-Id header missing")
    if len(sent.headers.get("idempotency-key", "")) > 128:
        found.append("Idempotency-Key longer than 128 characters")
    if sent.body and sent.method == "GET":
        found.append("a GET with a body")
    return found


def _xero_identity(sent: Sent) -> list[str]:
    return _schemas(sent)


def _qbo_api(sent: Sent) -> list[str]:
    found = _schemas(sent)
    if sent.query.get("minorversion") != "75":
        found.append("minorversion is not 75")
    if len(sent.query.get("requestid", "")) > 50:
        found.append("requestid longer than 50 characters")
    realm, _, rest = sent.path.partition("/")
    if not realm.isdigit():
        found.append(f"{realm!r} is not a realm id")
    entity = rest.split("/", 1)[0].lower()
    if entity == "query" and not sent.query.get("query", "").lower().startswith("select "):
        found.append("a query that is not a select")
    if sent.method == "POST" and sent.query.get("operation", "") not in ("", "void", "delete"):
        found.append(f"operation {sent.query['operation']!r}")
    return found


# --- OAuth -----------------------------------------------------------------------------


def _token(sent: Sent) -> list[str]:
    found = []
    if not sent.headers.get("authorization", "").startswith("Basic "):
        found.append("client credentials not sent with HTTP Basic")
    if sent.kind == "revoke":
        return found
    form = dict(parse_qsl(sent.body.decode()))
    allowed = TOKEN_GRANTS.get(form.get("grant_type", ""))
    if allowed is None:
        return [*found, f"grant_type {form.get('grant_type')!r}"]
    if set(form) != allowed:
        found.append(f"token form fields {sorted(form)}, expected {sorted(allowed)}")
    return found
