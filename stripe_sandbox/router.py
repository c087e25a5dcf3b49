"""Routes and the request/response objects handlers see.

A resource module owns a `Router` and declares routes on it:

    router = Router()

    @router.post("/v1/widgets/{widget}", params=stripe.params.WidgetUpdateParams)
    def widget_update(req: Request, widget: str) -> dict:
        ...

`kind` says which pipeline a route runs through in the server:
  api      secret key auth, Stripe-Account scoping, faults, params checked
           against `params` (a `stripe.params` TypedDict), idempotency on POST,
           JSON out, `expand[]` applied to the returned object
  oauth    like api, but errors in OAuth's flat shape
  control  `/_sandbox/...`: no auth, JSON in and out
  page     hosted HTML pages: no auth, form/multipart in, a `Response` out
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stripe_sandbox.sandbox import Sandbox

Handler = Callable[..., Any]
_VAR = re.compile(r"\{(\w+)\}")


@dataclass
class Route:
    method: str
    pattern: str
    handler: Handler
    kind: str = "api"
    params: type | None = None
    # False for control calls that wait on background threads: they must not
    # hold the store lock for the whole call.
    atomic: bool = True
    regex: re.Pattern[str] | None = None


@dataclass
class Request:
    sb: Sandbox
    method: str
    path: str
    query: dict[str, Any]
    headers: dict[str, str]
    body: bytes
    params: dict[str, Any] = field(default_factory=dict)
    # The account the call acts on: "" for the platform, else acct_...
    account: str = ""
    api_key: str = ""
    request_id: str = ""
    idempotency_key: str | None = None
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    client_ip: str = "127.0.0.1"

    @property
    def json(self) -> dict[str, Any]:
        return json.loads(self.body or b"{}")

    @property
    def is_platform(self) -> bool:
        return self.account == ""

    def stripe_request(self) -> dict[str, Any]:
        """The `request` field of events this call causes."""
        return {"id": self.request_id, "idempotency_key": self.idempotency_key}


@dataclass
class Response:
    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"

    @classmethod
    def html(cls, text: str, status: int = 200) -> Response:
        return cls(status=status, body=text, content_type="text/html; charset=utf-8")

    @classmethod
    def redirect(cls, location: str) -> Response:
        return cls(status=302, headers={"Location": location}, content_type="text/plain")

    @classmethod
    def json(cls, data: Any, status: int = 200) -> Response:
        return cls(status=status, body=json.dumps(data))


class Router:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(
        self,
        method: str,
        pattern: str,
        handler: Handler,
        *,
        kind: str = "api",
        params: type | None = None,
        atomic: bool = True,
    ) -> None:
        self.routes.append(Route(method.upper(), pattern, handler, kind, params, atomic))

    def route(
        self,
        method: str,
        pattern: str,
        *,
        kind: str = "api",
        params: type | None = None,
        atomic: bool = True,
    ) -> Callable[[Handler], Handler]:
        def decorator(handler: Handler) -> Handler:
            self.add(method, pattern, handler, kind=kind, params=params, atomic=atomic)
            return handler

        return decorator

    def get(self, pattern: str, **kw: Any) -> Callable[[Handler], Handler]:
        return self.route("GET", pattern, **kw)

    def post(self, pattern: str, **kw: Any) -> Callable[[Handler], Handler]:
        return self.route("POST", pattern, **kw)

    def delete(self, pattern: str, **kw: Any) -> Callable[[Handler], Handler]:
        return self.route("DELETE", pattern, **kw)


class RouteTable:
    """All routes of all modules; static paths by dict, the rest by regex."""

    def __init__(self) -> None:
        self._static: dict[tuple[str, str], Route] = {}
        self._dynamic: list[Route] = []

    def include(self, router: Router) -> None:
        for route in router.routes:
            if "{" in route.pattern:
                route.regex = re.compile(
                    "^" + _VAR.sub(lambda m: f"(?P<{m.group(1)}>[^/]+)", route.pattern) + "$"
                )
                self._dynamic.append(route)
            else:
                self._static[(route.method, route.pattern)] = route

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        route = self._static.get((method, path))
        if route:
            return route, {}
        for route in self._dynamic:
            if route.method == method and route.regex:
                m = route.regex.match(path)
                if m:
                    return route, m.groupdict()
        return None

    def path_exists(self, path: str) -> bool:
        return any(r.pattern == path for r in self._static.values()) or any(
            r.regex and r.regex.match(path) for r in self._dynamic
        )
