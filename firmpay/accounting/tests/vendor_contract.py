"""Every request Firmpay sends to Xero or QuickBooks, judged by the vendors' own definitions
(Xero's OpenAPI files, Intuit's XSDs, as vendored with the accounting sandbox) rather than
by our fakes. The suite-wide collector (`conftest.py`) hands each request the providers
send (`REQUEST_HOOKS`) to `record`; `problems` lists what the definitions refuse.

Stricter than the formats on purpose, like the sandbox: an operation, query parameter or
body property the definition does not have is a problem."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import httpx
from django.conf import settings

from accounting_sandbox import openapi, xsd

QBO_ENTITIES = {
    "customer": "Customer",
    "invoice": "Invoice",
    "payment": "Payment",
    "item": "Item",
}
QBO_QUERY_PARAMS = {"minorversion", "requestid", "operation", "query"}
TOKEN_GRANTS = {
    "authorization_code": {"grant_type", "code", "redirect_uri"},
    "refresh_token": {"grant_type", "refresh_token"},
}


@dataclass
class Sent:
    vendor: str
    kind: str  # api, identity, token, revoke
    method: str
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


def _json(sent: Sent):
    return json.loads(sent.body or b"null", parse_float=Decimal)


# --- Xero ------------------------------------------------------------------------------


def _operation(doc: dict, method: str, path: str) -> tuple[dict | None, str]:
    for template, item in doc["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path, re.IGNORECASE) and method.lower() in item:
            return item[method.lower()], template
    return None, ""


def _parameters(doc: dict, operation: dict) -> dict[str, dict]:
    out = {}
    for param in operation.get("parameters", []):
        if "$ref" in param:
            param = doc["components"]["parameters"][param["$ref"].rsplit("/", 1)[1]]
        out[param["name"].lower()] = param
    return out


def _check_operation(doc: dict, sent: Sent, path: str) -> list[str]:
    operation, template = _operation(doc, sent.method, path)
    if operation is None:
        return [f"no operation {sent.method} {path} in the definition"]
    found: list[str] = []
    params = _parameters(doc, operation)
    for name in sent.query:
        if name.lower() not in params or params[name.lower()]["in"] != "query":
            found.append(f"query parameter {name!r} is not defined for {template}")
    for name, param in params.items():
        if param.get("in") == "header" and param.get("required") and name not in sent.headers:
            found.append(f"required header {param['name']} missing")
    if "idempotency-key" in sent.headers and len(sent.headers["idempotency-key"]) > 128:
        found.append("Idempotency-Key longer than 128 characters")
    body = operation.get("requestBody")
    if body and "$ref" in body:
        body = doc["components"]["requestBodies"][body["$ref"].rsplit("/", 1)[1]]
    if body:
        schema = body["content"]["application/json"]["schema"]
        found += [
            str(p) for p in openapi.check_schema(doc, schema, _json(sent), "body", request=True)
        ]
    elif sent.body:
        found.append(f"{template} takes no body")
    return found


def _xero_api(sent: Sent) -> list[str]:
    found = _check_operation(openapi.accounting(), sent, sent.path)
    if "xero-tenant-id" not in sent.headers:
        found.append("Xero-Tenant-Id header missing")
    return found


def _xero_identity(sent: Sent) -> list[str]:
    return _check_operation(openapi.identity(), sent, sent.path)


# --- QuickBooks ------------------------------------------------------------------------


def _qbo_api(sent: Sent) -> list[str]:
    found = [
        f"query parameter {n!r} is not one QuickBooks takes"
        for n in sent.query
        if n not in QBO_QUERY_PARAMS
    ]
    if sent.query.get("minorversion") != "75":
        found.append("minorversion is not 75")
    if len(sent.query.get("requestid", "")) > 50:
        found.append("requestid longer than 50 characters")
    realm, _, rest = sent.path.partition("/")
    if not realm.isdigit():
        found.append(f"{realm!r} is not a realm id")
    entity = rest.split("/", 1)[0].lower()
    if sent.method == "GET":
        if entity == "query" and not sent.query.get("query", "").lower().startswith("select "):
            found.append("a query that is not a select")
        elif entity not in {"query", "companyinfo", *QBO_ENTITIES}:
            found.append(f"no entity {entity!r}")
        return found
    if entity not in QBO_ENTITIES:
        return [*found, f"POST to {entity!r}, which is not an entity Firmpay writes"]
    operation = sent.query.get("operation", "")
    if operation not in ("", "void", "delete"):
        found.append(f"operation {operation!r}")
    found += [str(p) for p in xsd.check_entity(QBO_ENTITIES[entity], _json(sent), request=True)]
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
