"""Routes and the request/response objects handlers see.

    router = Router()

    @router.get("/xero/api.xro/2.0/Contacts", kind="xero_api", scope="accounting.contacts.read")
    def contacts_list(req: Request) -> Response: ...

`kind` picks the pipeline (see pipeline.py): `xero_api`, `xero_identity` (token and
revocation: OAuth's error shape), `xero_connections`, `qbo_api`, `qbo_oauth`, `control`
(`/_sandbox/...`: JSON in and out) and `page` (HTML: consent pages and the ledger).
Paths match case-insensitively, as Xero's do.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from accounting_sandbox.sandbox import Sandbox

Handler = Callable[..., Any]
_VAR = re.compile(r"\{(\w+)\}")


@dataclass
class Route:
    method: str
    pattern: str
    handler: Handler
    kind: str
    # Xero: the scopes that allow the call (any one); the schema its body must match.
    scopes: tuple[str, ...] = ()
    body: str | None = None
    # The schema of the answer (Xero component name; QuickBooks: checked as IntuitResponse).
    answer: str | None = None
    regex: re.Pattern[str] | None = None


@dataclass
class Request:
    sb: Sandbox
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    params: Any = None
    # Set by the pipeline: the organisation/company the call acts on and its grant.
    tenant: str = ""
    grant: dict[str, Any] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body or b"{}")


@dataclass
class Response:
    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"

    @classmethod
    def json(cls, data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
        from accounting_sandbox.store import dumps

        return cls(status=status, body=dumps(data), headers=dict(headers or {}))

    @classmethod
    def html(cls, text: str, status: int = 200) -> Response:
        return cls(status=status, body=text, content_type="text/html; charset=utf-8")

    @classmethod
    def redirect(cls, location: str) -> Response:
        return cls(status=302, headers={"Location": location}, content_type="text/plain")

    def data(self) -> Any:
        return json.loads(self.body or b"null")


class Router:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def route(
        self,
        method: str,
        pattern: str,
        *,
        kind: str,
        scopes: tuple[str, ...] = (),
        body: str | None = None,
        answer: str | None = None,
    ) -> Callable[[Handler], Handler]:
        def decorator(handler: Handler) -> Handler:
            self.routes.append(Route(method.upper(), pattern, handler, kind, scopes, body, answer))
            return handler

        return decorator

    def get(self, pattern: str, **kw: Any) -> Callable[[Handler], Handler]:
        return self.route("GET", pattern, **kw)

    def post(self, pattern: str, **kw: Any) -> Callable[[Handler], Handler]:
        return self.route("POST", pattern, **kw)

    def put(self, pattern: str, **kw: Any) -> Callable[[Handler], Handler]:
        return self.route("PUT", pattern, **kw)

    def delete(self, pattern: str, **kw: Any) -> Callable[[Handler], Handler]:
        return self.route("DELETE", pattern, **kw)


class RouteTable:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def include(self, router: Router) -> None:
        for route in router.routes:
            route.regex = re.compile(
                "^" + _VAR.sub(lambda m: f"(?P<{m.group(1)}>[^/]+)", route.pattern) + "/?$",
                re.IGNORECASE,
            )
            self.routes.append(route)

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            if route.method == method and route.regex and (m := route.regex.match(path)):
                return route, m.groupdict()
        return None
