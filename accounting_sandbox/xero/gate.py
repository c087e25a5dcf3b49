"""The way into Xero's APIs: bearer token, `Xero-Tenant-Id`, scopes, rate limits,
`Idempotency-Key` replays, the request body checked against Xero's OpenAPI file, and (when
configured) the answer checked too."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from accounting_sandbox import oauth, openapi
from accounting_sandbox.errors import XeroError, xero_problem
from accounting_sandbox.router import Request, Response, Route
from accounting_sandbox.xero import model

if TYPE_CHECKING:
    from accounting_sandbox.sandbox import Sandbox

IDEMPOTENCY_MAX = 128


def _bearer(sb: Sandbox, req: Request) -> dict[str, Any]:
    value = req.headers.get("authorization", "")
    if not value.lower().startswith("bearer "):
        raise xero_problem(401, "Unauthorized", "AuthenticationUnsuccessful")
    grant, problem = oauth.grant_for_access(sb, "xero", value[7:].strip())
    if grant is None:
        detail = (
            "TokenExpired: token expired" if problem == "expired" else "AuthenticationUnsuccessful"
        )
        raise XeroError(
            401,
            {
                "Type": None,
                "Title": "Unauthorized",
                "Status": 401,
                "Detail": detail,
                "Instance": "",
                "Extensions": {},
            },
            {"WWW-Authenticate": f'Bearer error="invalid_token", error_description="{detail}"'},
        )
    return grant


def connections(sb: Sandbox, route: Route, req: Request, path_params: dict[str, str]) -> Response:
    with sb.store.lock:
        req.grant = _bearer(sb, req)
        _query(sb, req, "identity", req.path[len("/xero") :])
        with sb.store.transaction():
            result = route.handler(req, **path_params)
    return result if isinstance(result, Response) else Response.json(result)


def api(sb: Sandbox, route: Route, req: Request, path_params: dict[str, str]) -> Response:
    with sb.store.lock:
        req.grant = _bearer(sb, req)
        req.tenant = _tenant(sb, req)
        _scopes(route, req.grant)
    with sb.limits.admit("xero", req.tenant) as verdict:
        if not verdict.ok:
            return _rate_limited(verdict)
        with sb.store.lock:
            response = _call(sb, route, req, path_params)
        response.headers.update(verdict.headers or {})
        return response


def _tenant(sb: Sandbox, req: Request) -> str:
    tenant = req.headers.get("xero-tenant-id", "").strip()
    if not tenant:
        raise xero_problem(403, "Forbidden", "AuthenticationUnsuccessful")
    if not model.connected(sb, req.grant, tenant):
        raise xero_problem(403, "Forbidden", "AuthenticationUnsuccessful")
    return tenant


def _scopes(route: Route, grant: dict[str, Any]) -> None:
    if route.scopes and not set(route.scopes) & set(grant["scopes"]):
        raise xero_problem(401, "Unauthorized", "AuthorizationUnsuccessful")


def _rate_limited(verdict: Any) -> Response:
    detail = {
        "minute": "You've exceeded the per minute rate limit",
        "concurrent": "You've exceeded the concurrent request limit",
        "day": "You've exceeded the daily rate limit",
    }[verdict.problem]
    headers = dict(verdict.headers or {})
    headers.update(
        {"Retry-After": str(verdict.retry_after), "X-Rate-Limit-Problem": verdict.problem}
    )
    body = {
        "Type": None,
        "Title": "Too Many Requests",
        "Status": 429,
        "Detail": detail,
        "Instance": "",
        "Extensions": {},
    }
    return Response.json(body, 429, headers)


def _call(sb: Sandbox, route: Route, req: Request, path_params: dict[str, str]) -> Response:
    key = req.headers.get("idempotency-key")
    fingerprint = hashlib.sha256(
        req.method.encode() + req.path.lower().encode() + req.body
    ).hexdigest()
    if key is not None and req.method in ("POST", "PUT"):
        if len(key) > IDEMPOTENCY_MAX:
            raise XeroError(
                400,
                {
                    "ErrorNumber": 10,
                    "Type": "ValidationException",
                    "Message": f"Idempotency-Key must be at most {IDEMPOTENCY_MAX} characters",
                },
            )
        stored = sb.store.replay_get("xero", req.tenant, key)
        if stored is not None:
            if stored[0] != fingerprint:
                raise XeroError(
                    400,
                    {
                        "ErrorNumber": 10,
                        "Type": "ValidationException",
                        "Message": "The Idempotency-Key was already used for a different request",
                    },
                )
            return Response(status=stored[1], body=stored[2])
    _query(sb, req, "accounting", req.path[len("/xero/api.xro/2.0") :])
    req.params = _body(sb, route, req)
    try:
        with sb.store.transaction():
            result = route.handler(req, **path_params)
            response = result if isinstance(result, Response) else Response.json(result)
    except XeroError as exc:
        response = Response.json(exc.body(), exc.status, exc.headers)
    if key is not None and req.method in ("POST", "PUT") and response.status < 500:
        sb.store.replay_put(
            "xero",
            req.tenant,
            key,
            fingerprint,
            response.status,
            response.body if isinstance(response.body, str) else response.body.decode(),
            sb.clock.now(),
        )
    _check_answer(sb, route, req, response)
    return response


def _query(sb: Sandbox, req: Request, doc: str, path: str) -> None:
    problems = openapi.check_query(doc, path, req.method, req.query)
    if problems:
        sb.violation("xero", req, [str(p) for p in problems])
        raise XeroError(
            400,
            {
                "ErrorNumber": 10,
                "Type": "ValidationException",
                "Message": "; ".join(str(p) for p in problems[:5]),
            },
        )


def _body(sb: Sandbox, route: Route, req: Request) -> Any:
    if req.method not in ("POST", "PUT"):
        return None
    try:
        data = json.loads(req.body or b"null", parse_float=Decimal)
    except ValueError:
        sb.violation("xero", req, ["the body is not JSON"])
        raise XeroError(
            400,
            {"ErrorNumber": 14, "Type": "PostDataInvalidException", "Message": "Invalid Json data"},
        ) from None
    if route.body:
        problems = openapi.check(openapi.accounting(), route.body, data, request=True)
        if problems:
            sb.violation("xero", req, [str(p) for p in problems])
            raise XeroError(
                400,
                {
                    "ErrorNumber": 14,
                    "Type": "PostDataInvalidException",
                    "Message": "; ".join(str(p) for p in problems[:5]),
                },
            )
    return data


def _check_answer(sb: Sandbox, route: Route, req: Request, response: Response) -> None:
    if not sb.config.check_responses or not response.body:
        return
    name = route.answer if response.status == 200 else "Error"
    if not name:
        return
    doc = openapi.identity() if route.kind == "xero_connections" else openapi.accounting()
    problems = openapi.check(doc, name, response.data(), request=False)
    if problems:
        sb.violation("xero", req, [f"answer: {p}" for p in problems])
        raise xero_problem(
            500, "Sandbox answer does not match the schema", "; ".join(map(str, problems[:5]))
        )


def fault_response(sb: Sandbox, mode: str) -> Response:
    if mode == "429":
        headers = {
            "Retry-After": "60",
            "X-Rate-Limit-Problem": "minute",
            "X-MinLimit-Remaining": "0",
        }
        body = {
            "Type": None,
            "Title": "Too Many Requests",
            "Status": 429,
            "Detail": "You've exceeded the per minute rate limit",
            "Instance": "",
            "Extensions": {},
        }
        return Response.json(body, 429, headers)
    if mode == "fault_in_200":
        return Response.json(
            {
                "ErrorNumber": 500,
                "Type": "UnknownErrorException",
                "Message": "An error occurred in Xero.",
            },
            200,
        )
    status = int(mode)
    title = "Service Unavailable" if status == 503 else "An error occurred"
    return Response.json(
        {
            "Type": None,
            "Title": title,
            "Status": status,
            "Detail": "An error occurred in Xero. Check the API Status page http://status.developer.xero.com for current service status.",
            "Instance": "",
            "Extensions": {},
        },
        status,
    )
