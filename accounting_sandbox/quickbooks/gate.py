"""The way into the QuickBooks v3 API: bearer token for one realm, 10 requests a second per
company (then 60 s throttled), `requestid` replays per company, the body checked against
Intuit's XSDs, answers wrapped as an IntuitResponse (`time`) and, when configured, checked."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from accounting_sandbox import oauth, xsd
from accounting_sandbox.errors import QuickBooksFault
from accounting_sandbox.quickbooks import model
from accounting_sandbox.router import Request, Response, Route

if TYPE_CHECKING:
    from accounting_sandbox.sandbox import Sandbox

_REALM = re.compile(r"^/quickbooks/v3/company/([^/]+)/", re.IGNORECASE)
REQUESTID_MAX = 50
QUERY_PARAMS = {"minorversion", "requestid", "operation", "query", "include"}


def qbo_time(sb: Sandbox) -> str:
    moment = dt.datetime.fromtimestamp(sb.clock.time(), dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}-00:00"


def _auth_fault(detail: str) -> QuickBooksFault:
    return QuickBooksFault(
        "3200",
        "message=AuthenticationFailed; errorCode=003200; statusCode=401",
        detail,
        type="AUTHENTICATION",
        status=401,
    )


def _grant(sb: Sandbox, req: Request, realm: str) -> dict[str, Any]:
    value = req.headers.get("authorization", "")
    if not value.lower().startswith("bearer "):
        raise _auth_fault("Authorization header missing")
    grant, problem = oauth.grant_for_access(sb, "quickbooks", value[7:].strip())
    if grant is None:
        raise _auth_fault("Token expired" if problem == "expired" else "Token invalid")
    if grant["realm"] != realm or model.company(sb, realm) is None:
        raise QuickBooksFault(
            "3100",
            "message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403",
            "The token does not authorise this company",
            type="AUTHORIZATION",
            status=403,
        )
    return grant


def api(sb: Sandbox, route: Route, req: Request, path_params: dict[str, str]) -> Response:
    realm = path_params.get("realm") or (_REALM.match(req.path) or [None, ""])[1]
    with sb.store.lock:
        req.grant = _grant(sb, req, realm)
        req.tenant = realm
    with sb.limits.admit("quickbooks", realm) as verdict:
        if not verdict.ok:
            return throttled(sb, verdict.retry_after)
        with sb.store.lock:
            return _call(sb, route, req, path_params)


def _call(sb: Sandbox, route: Route, req: Request, path_params: dict[str, str]) -> Response:
    key = req.query.get("requestid")
    if key is not None and req.method == "POST":
        if len(key) > REQUESTID_MAX:
            raise QuickBooksFault(
                "2050",
                "Invalid String length",
                f"requestid must be at most {REQUESTID_MAX} characters",
            )
        stored = sb.store.replay_get("quickbooks", req.tenant, key)
        if stored is not None:
            return Response(status=stored[1], body=stored[2])
    unknown = sorted(set(req.query) - QUERY_PARAMS)
    if unknown:
        sb.violation(
            "quickbooks", req, [f"?{name}: not a query parameter of the v3 API" for name in unknown]
        )
        raise QuickBooksFault(
            "2010",
            "Request has invalid or unsupported property",
            f"Query parameter {unknown[0]} specified is unsupported or invalid",
        )
    req.params = _body(sb, route, req)
    try:
        with sb.store.transaction():
            result = route.handler(req, **path_params)
            response = Response.json({**result, "time": qbo_time(sb)})
    except QuickBooksFault as exc:
        response = Response.json({"Fault": exc.fault(), "time": qbo_time(sb)}, exc.status)
    if key is not None and req.method == "POST" and response.status < 500:
        body = response.body if isinstance(response.body, str) else response.body.decode()
        sb.store.replay_put(
            "quickbooks", req.tenant, key, "", response.status, body, sb.clock.now()
        )
    _check_answer(sb, req, response)
    return response


def _body(sb: Sandbox, route: Route, req: Request) -> Any:
    if req.method != "POST" or route.body is None:
        return None
    try:
        data = json.loads(req.body or b"null", parse_float=Decimal)
    except ValueError:
        sb.violation("quickbooks", req, ["the body is not JSON"])
        raise QuickBooksFault(
            "2010",
            "Request has invalid or unsupported property",
            "The request body is not valid JSON",
        ) from None
    problems = xsd.check_entity(route.body, data, request=True)
    if problems:
        sb.violation("quickbooks", req, [str(p) for p in problems])
        first = problems[0]
        raise QuickBooksFault(
            "2010",
            "Request has invalid or unsupported property",
            f"Property Name:{first.path} specified is unsupported or invalid ({first.message})",
            element=first.path,
        )
    return data


def _check_answer(sb: Sandbox, req: Request, response: Response) -> None:
    if not sb.config.check_responses or not response.body:
        return
    problems = xsd.check_response(response.data())
    if problems:
        sb.violation("quickbooks", req, [f"answer: {p}" for p in problems])
        raise QuickBooksFault(
            "10000",
            "Sandbox answer does not match the XSD",
            "; ".join(map(str, problems[:5])),
            type="SystemFault",
            status=500,
        )


def throttled(sb: Sandbox, retry_after: int) -> Response:
    """429: as JSON with Retry-After, and every few times as Intuit's gateway XML without it."""
    count = sb.limits.rejections["quickbooks"]
    every = sb.config.quickbooks_xml_429_every
    detail = f"The request limit was reached. Wait {sb.config.quickbooks_throttle_seconds} seconds before retrying."
    message = "message=ThrottleExceeded; errorCode=003001; statusCode=429"
    if every and count % every == 0:
        xml = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<IntuitResponse xmlns="http://schema.intuit.com/finance/v3" time="{qbo_time(sb)}">'
            f'<Fault type="SERVICE"><Error code="003001"><Message>{message}</Message>'
            f"<Detail>{detail}</Detail></Error></Fault></IntuitResponse>"
        )
        return Response(status=429, body=xml, content_type="application/xml")
    body = {
        "Fault": {
            "Error": [{"Message": message, "Detail": detail, "code": "003001"}],
            "type": "SERVICE",
        },
        "time": qbo_time(sb),
    }
    return Response.json(body, 429, {"Retry-After": str(retry_after)})


def fault_response(sb: Sandbox, mode: str) -> Response:
    if mode == "429":
        sb.limits.rejections["quickbooks"] += 1
        return throttled(sb, sb.config.quickbooks_throttle_seconds)
    fault = QuickBooksFault(
        "10000",
        "An application error has occurred while processing your request",
        "System Failure Error: An unexpected error occurred while accessing or "
        "saving your data. Please wait a few minutes and try again.",
        type="SystemFault",
        status=200 if mode == "fault_in_200" else int(mode),
    )
    return Response.json({"Fault": fault.fault(), "time": qbo_time(sb)}, fault.status)
