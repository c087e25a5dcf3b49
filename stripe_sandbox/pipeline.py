"""What happens to a request between the socket and its handler."""

from __future__ import annotations

import json
import logging
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from stripe_sandbox import auth, errors, forms, idempotency, objects, pages
from stripe_sandbox.errors import SandboxError
from stripe_sandbox.ids import random_token
from stripe_sandbox.router import Request, Response, Route
from stripe_sandbox.validate import validate

if TYPE_CHECKING:
    from stripe_sandbox.sandbox import Sandbox

log = logging.getLogger("stripe_sandbox.pipeline")


def handle(
    sb: Sandbox, method: str, raw_path: str, headers: dict[str, str], body: bytes, client_ip: str
) -> Response | None:
    path, _, qs = raw_path.partition("?")
    request_id = "req_" + random_token(14)
    req = Request(
        sb=sb,
        method=method,
        path=path,
        query={},
        headers=headers,
        body=body,
        request_id=request_id,
        client_ip=client_ip,
    )
    match = sb.routes.match(method, path)
    kind = match[0].kind if match else _kind_for_path(path)
    try:
        req.query = forms.parse_query(qs)
        if kind in ("api", "oauth") and (fault := _api_fault(sb)) is not None:
            return fault
        if match is None:
            if kind == "api":
                auth.authenticate(sb, req)  # Stripe answers 401 before 404
            raise errors.unknown_route(method, path)
        route, path_params = match
        response = _DISPATCH[route.kind](sb, route, req, path_params)
    except SandboxError as exc:
        response = _error_response(kind, exc)
    except forms.FormError as exc:
        response = _error_response(kind, errors.invalid_request(str(exc), param=exc.key))
    except Exception:  # answer like Stripe's 500 rather than dropping the socket
        log.exception("unhandled error on %s %s", method, path)
        response = _error_response(kind, errors.api_error("Internal sandbox error."))
    response.headers.setdefault("Request-Id", request_id)
    return response


def _kind_for_path(path: str) -> str:
    if path.startswith("/oauth/"):
        return "oauth"
    if path.startswith("/_sandbox/"):
        return "control"
    return "api" if path.startswith("/v1/") or path.startswith("/v2/") else "page"


def _api_fault(sb: Sandbox) -> Response | None:
    fault = sb.faults.take_api()
    if fault is None:
        return None
    if fault.mode == "hang":
        time.sleep(fault.hang_seconds)
        return None
    error = errors.rate_limited() if fault.mode == "429" else errors.api_error()
    return _error_response("api", error)


def _error_response(kind: str, exc: SandboxError) -> Response:
    if kind == "page":
        return pages.error_page(exc)
    return Response.json(exc.body(), status=exc.status)


# -- api / oauth ------------------------------------------------------------
def _api(sb: Sandbox, route: Route, req: Request, path_params: dict[str, str]) -> Response:
    # One lock from auth to answer: the idempotency check, the handler and
    # the stored replay see one consistent state.
    with sb.store.lock:
        auth.authenticate(sb, req, oauth=route.kind == "oauth")
        raw = req.query if req.method in ("GET", "DELETE") else _form_body(req)
        if req.method == "POST":
            replay = idempotency.lookup(sb, req, raw)
            if replay is not None:
                return replay
        req.params = _validated(route, raw)
        try:
            with sb.store.transaction():
                response = _api_result(sb, req, route.handler(req, **path_params))
        except errors.StripeError as exc:
            if exc.status < 500:
                idempotency.remember(sb, req, raw, Response.json(exc.body(), status=exc.status))
            raise
        idempotency.remember(sb, req, raw, response)
        return response


def _validated(route: Route, raw: dict[str, Any]) -> dict[str, Any]:
    try:
        return validate(raw, route.params) if route.params else forms.listify(raw)
    except errors.StripeError as exc:
        if route.kind == "oauth":
            raise errors.OAuthError("invalid_request", exc.message) from None
        raise


def _form_body(req: Request) -> dict[str, Any]:
    content_type = req.headers.get("content-type", "")
    if req.body and content_type.startswith("application/json"):
        return json.loads(req.body)
    return forms.parse_pairs(parse_qsl(req.body.decode(), keep_blank_values=True))


def _api_result(sb: Sandbox, req: Request, result: Any) -> Response:
    if isinstance(result, Response):
        return result
    expand = req.params.get("expand") if isinstance(req.params, dict) else None
    if expand:
        result = objects.expand(
            dict(result), list(expand), lambda oid: sb.store.get_by_id(oid, account=req.account)
        )
    return Response.json(objects.public(result))


# -- control ----------------------------------------------------------------
def _control(sb: Sandbox, route: Route, req: Request, path_params: dict[str, str]) -> Response:
    try:
        req.params = req.json if req.body else {}
    except ValueError:
        raise errors.invalid_request("Control calls take a JSON body.") from None
    if not isinstance(req.params, dict):
        raise errors.invalid_request("Control calls take a JSON object.")
    if route.atomic:
        with sb.store.transaction():
            result = route.handler(req, **path_params)
    else:
        result = route.handler(req, **path_params)
    return result if isinstance(result, Response) else Response.json(result)


# -- hosted pages -----------------------------------------------------------
def _page(sb: Sandbox, route: Route, req: Request, path_params: dict[str, str]) -> Response:
    content_type = req.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        req.params, req.files = forms.parse_multipart(req.body, content_type)
    elif req.body:
        req.params = dict(parse_qsl(req.body.decode("utf-8", "replace"), keep_blank_values=True))
    with sb.store.transaction():
        result = route.handler(req, **path_params)
    return result if isinstance(result, Response) else Response.html(result)


_DISPATCH = {"api": _api, "oauth": _api, "control": _control, "page": _page}
