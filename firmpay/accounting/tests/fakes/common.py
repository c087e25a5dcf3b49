"""What both vendor fakes share: OAuth with rotating refresh tokens, scripted faults and a
request log."""

from __future__ import annotations

import base64
import datetime
import json
import secrets
from dataclasses import dataclass, field
from decimal import Decimal

import httpx

REFRESH_GRACE = datetime.timedelta(minutes=30)


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def body_json(request: httpx.Request):
    return json.loads(request.content or b"{}", parse_float=Decimal)


def dumps(payload) -> str:
    return json.dumps(payload, default=lambda value: str(value))


@dataclass
class Fault:
    """The next matching request fails: 429 (with Retry-After), 500, invalid_grant on the
    token endpoint, or "timeout_after_store" (the vendor acts, the response is lost)."""

    kind: str
    path_contains: str = ""
    method: str = ""
    times: int = 1
    retry_after: int = 30


@dataclass
class OAuthServer:
    client_id: str
    client_secret: str
    access_ttl: int
    codes: dict = field(default_factory=dict)
    # refresh token -> {"replaced_at": datetime|None}
    refresh_tokens: dict = field(default_factory=dict)
    access_tokens: dict = field(default_factory=dict)
    revoked: bool = False
    refresh_count: int = 0
    # Seconds the token endpoint takes (to let a second worker arrive mid-refresh).
    delay: float = 0

    # Called for each consent (Xero: records which organisations it granted).
    on_consent: object = None

    def issue_code(self, **extra) -> str:
        code = "code_" + secrets.token_urlsafe(8)
        if self.on_consent is not None and "event" not in extra:
            extra["event"] = self.on_consent()
        self.codes[code] = extra
        return code

    def _basic_ok(self, request: httpx.Request) -> bool:
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        return request.headers.get("Authorization") == f"Basic {expected}"

    def _tokens(self, event: str = "") -> httpx.Response:
        # Access tokens are JWTs (Xero puts the consent's authentication_event_id in them).
        claims = {"jti": secrets.token_urlsafe(12), "authentication_event_id": event}
        access = (
            ".".join(
                base64.urlsafe_b64encode(json.dumps(part).encode()).decode().rstrip("=")
                for part in ({"alg": "RS256", "typ": "JWT"}, claims)
            )
            + ".signature"
        )
        refresh = "rt_" + secrets.token_urlsafe(12)
        self.access_tokens[access] = now() + datetime.timedelta(seconds=self.access_ttl)
        self.refresh_tokens[refresh] = {"replaced_at": None, "event": event}
        return httpx.Response(
            200,
            json={
                "access_token": access,
                "refresh_token": refresh,
                "expires_in": self.access_ttl,
                "token_type": "Bearer",
            },
        )

    def token(self, request: httpx.Request) -> httpx.Response:
        if self.delay:
            import time

            time.sleep(self.delay)
        if not self._basic_ok(request):
            return httpx.Response(401, json={"error": "invalid_client"})
        form = dict(
            pair.split("=", 1) for pair in request.content.decode().split("&") if "=" in pair
        )
        from urllib.parse import unquote_plus

        form = {key: unquote_plus(value) for key, value in form.items()}
        grant = form.get("grant_type")
        if grant == "authorization_code":
            grant = self.codes.pop(form.get("code", ""), None)
            if grant is None:
                return httpx.Response(400, json={"error": "invalid_grant"})
            self.revoked = False
            return self._tokens(grant.get("event", ""))
        if grant == "refresh_token":
            entry = self.refresh_tokens.get(form.get("refresh_token", ""))
            replaced = entry and entry["replaced_at"]
            if (
                self.revoked
                or entry is None
                or (replaced is not None and now() - replaced > REFRESH_GRACE)
            ):
                return httpx.Response(400, json={"error": "invalid_grant"})
            entry["replaced_at"] = replaced or now()
            self.refresh_count += 1
            return self._tokens(entry.get("event", ""))
        return httpx.Response(400, json={"error": "unsupported_grant_type"})

    def revoke(self, request: httpx.Request) -> httpx.Response:
        self.revoked = True
        self.refresh_tokens.clear()
        self.access_tokens.clear()
        return httpx.Response(200)

    def expire_refresh_tokens(self) -> None:
        """The refresh token expired (unused too long) or the user revoked access."""
        self.revoked = True
        self.access_tokens.clear()

    def bearer_event(self, request: httpx.Request) -> str:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return claims.get("authentication_event_id", "")

    def bearer_ok(self, request: httpx.Request) -> bool:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        expires = self.access_tokens.get(token)
        return expires is not None and expires > now()


class FaultsMixin:
    def init_faults(self):
        self.faults: list[Fault] = []
        self.log: list[tuple[str, str, dict]] = []

    def fail_next(
        self, kind: str, *, path_contains: str = "", method: str = "", times=1, retry_after=30
    ):
        self.faults.append(Fault(kind, path_contains, method, times, retry_after))

    def take_fault(self, request: httpx.Request) -> Fault | None:
        for fault in self.faults:
            if fault.path_contains and fault.path_contains not in request.url.path:
                continue
            if fault.method and fault.method != request.method:
                continue
            fault.times -= 1
            if fault.times <= 0:
                self.faults.remove(fault)
            return fault
        return None

    def api_calls(self, method: str = "", path_contains: str = "") -> list:
        return [
            entry
            for entry in self.log
            if (not method or entry[0] == method) and path_contains in entry[1]
        ]


def jsonable(value):
    """A copy with Decimals as JSON-safe strings (the vendors' numbers, without floats)."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items() if k != "tenant"}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    return value


UNEXPECTED_ANSWERS = {
    # A 200 that is not what the API defines: what a proxy, a vendor outage page or a
    # half-deployed change can return.
    "html": lambda: httpx.Response(
        200, headers={"Content-Type": "text/html"}, text="<html><body>Maintenance</body></html>"
    ),
    "empty": lambda: httpx.Response(200, content=b""),
    "wrong_types": lambda: httpx.Response(200, json={"Invoices": "not a list", "Payments": 7}),
    "list": lambda: httpx.Response(200, json=[1, 2, 3]),
}


def unexpected_answer(kind: str) -> httpx.Response | None:
    factory = UNEXPECTED_ANSWERS.get(kind)
    return factory() if factory else None
