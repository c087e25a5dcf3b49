"""What happens to a request between the socket and its handler: route, fault injection,
the vendor's gate (auth, tenant, scopes, rate limits, idempotency, schema), one SQLite
transaction, and errors in the vendor's shape."""

from __future__ import annotations

import json
import logging
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from accounting_sandbox import faults as faults_mod
from accounting_sandbox import pages
from accounting_sandbox.errors import (
    ControlError,
    OAuthError,
    PageError,
    QuickBooksFault,
    SandboxError,
    XeroError,
    xero_problem,
)
from accounting_sandbox.quickbooks import gate as qbo_gate
from accounting_sandbox.router import Request, Response, Route
from accounting_sandbox.xero import gate as xero_gate

if TYPE_CHECKING:
    from accounting_sandbox.sandbox import Sandbox

log = logging.getLogger("accounting_sandbox.pipeline")


def handle(
    sb: Sandbox, method: str, raw_path: str, headers: dict[str, str], body: bytes
) -> Response | None:
    path, _, qs = raw_path.partition("?")
    query = dict(parse_qsl(qs, keep_blank_values=True))
    req = Request(sb=sb, method=method, path=path, query=query, headers=headers, body=body)
    match = sb.routes.match(method, path)
    kind = match[0].kind if match else _kind_for_path(path)
    vendor = _vendor(kind)
    try:
        fault = sb.faults.take(vendor, method, path) if vendor and kind.endswith("api") else None
        if fault is not None and fault.mode not in ("wrong_types",):
            return _fault_response(sb, vendor, fault)
        if match is None:
            raise _not_found(kind, path)
        route, path_params = match
        sb.hits.add((route.method, route.pattern))
        response = _DISPATCH[route.kind](sb, route, req, path_params)
        if fault is not None:  # wrong_types: the real answer, mangled
            response = Response.json(
                faults_mod.wrong_types(response.data()), response.status, response.headers
            )
    except SandboxError as exc:
        response = error_response(sb, kind, exc)
    except Exception:
        log.exception("unhandled error on %s %s", method, path)
        response = error_response(sb, kind, _internal(kind))
    return response


def _kind_for_path(path: str) -> str:
    lower = path.lower()
    if lower.startswith("/_sandbox/"):
        return "control"
    if lower.startswith("/xero/api.xro/"):
        return "xero_api"
    if lower.startswith("/quickbooks/v3/"):
        return "qbo_api"
    return "page"


def _vendor(kind: str) -> str:
    if kind.startswith("xero"):
        return "xero"
    if kind.startswith("qbo"):
        return "quickbooks"
    return ""


def _not_found(kind: str, path: str) -> SandboxError:
    if kind == "xero_api":
        return XeroError(
            404,
            {
                "ErrorNumber": 404,
                "Type": "NotFoundException",
                "Message": "The resource you're looking for cannot be found",
            },
        )
    if kind == "qbo_api":
        return QuickBooksFault("610", "Object Not Found", f"Unsupported path {path}", status=404)
    if kind == "control":
        return ControlError(f"no control call {path}", status=404)
    return PageError("Not found", f"Nothing here: {path}", status=404)


def _internal(kind: str) -> SandboxError:
    if kind.startswith("xero"):
        return xero_problem(500, "An error occurred", "An error occurred in Xero.")
    if kind.startswith("qbo"):
        return QuickBooksFault(
            "10000",
            "An application error has occurred while processing your request",
            "System Failure Error",
            type="SystemFault",
            status=500,
        )
    return ControlError("internal sandbox error", status=500)


def error_response(sb: Sandbox, kind: str, exc: SandboxError) -> Response:
    if isinstance(exc, OAuthError):
        if kind == "page":
            return pages.error_page(
                "Authorisation failed", f"{exc.error}: {exc.description}", exc.status
            )
        return Response.json(exc.body(), exc.status)
    if isinstance(exc, XeroError):
        return Response.json(exc.body(), exc.status, exc.headers)
    if isinstance(exc, QuickBooksFault):
        return Response.json({"Fault": exc.fault(), "time": qbo_gate.qbo_time(sb)}, exc.status)
    if isinstance(exc, PageError):
        return pages.error_page(exc.title, exc.message, exc.status)
    if isinstance(exc, ControlError):
        return Response.json({"error": exc.message}, exc.status)
    return Response.json({"error": str(exc)}, exc.status)


def _fault_response(sb: Sandbox, vendor: str, fault: faults_mod.Fault) -> Response | None:
    mode = fault.mode
    if mode == "timeout":
        time.sleep(fault.seconds)
        return None
    if mode == "html":
        text = "<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"
        return Response.html(text, status=fault.status or 502)
    if mode == "empty":
        return Response(status=fault.status or 200, body=b"")
    if vendor == "xero":
        return xero_gate.fault_response(sb, mode)
    return qbo_gate.fault_response(sb, mode)


# -- dispatch per kind ----------------------------------------------------------------------
def _control(sb: Sandbox, route: Route, req: Request, path_params: dict[str, str]) -> Response:
    try:
        req.params = req.json() if req.body else {}
    except ValueError:
        raise ControlError("Control calls take a JSON body.") from None
    if not isinstance(req.params, dict):
        raise ControlError("Control calls take a JSON object.")
    with sb.store.transaction():
        result = route.handler(req, **path_params)
    return result if isinstance(result, Response) else Response.json(result)


def _page(sb: Sandbox, route: Route, req: Request, path_params: dict[str, str]) -> Response:
    req.params = parse_form(req.body)
    with sb.store.transaction():
        result = route.handler(req, **path_params)
    return result if isinstance(result, Response) else Response.html(result)


def _identity(sb: Sandbox, route: Route, req: Request, path_params: dict[str, str]) -> Response:
    """Token and revocation endpoints: form bodies (QuickBooks revoke: JSON)."""
    content_type = req.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        try:
            req.params = {k: str(v) for k, v in json.loads(req.body or b"{}").items()}
        except (ValueError, AttributeError):
            raise OAuthError("invalid_request", "the body is not JSON") from None
    else:
        req.params = parse_form(req.body)
    with sb.store.transaction():
        result = route.handler(req, **path_params)
    return result if isinstance(result, Response) else Response.json(result)


def parse_form(body: bytes) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
        if key in out:
            existing = out[key]
            out[key] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            out[key] = value
    return out


_DISPATCH = {
    "control": _control,
    "page": _page,
    "xero_identity": _identity,
    "qbo_oauth": _identity,
    "xero_connections": xero_gate.connections,
    "xero_api": xero_gate.api,
    "qbo_api": qbo_gate.api,
}
