"""pytest fixtures: the accounting sandbox served in-process on an ephemeral port.

    accounting_sandbox_server  session: the running `Sandbox` (answers checked against the
                               vendors' schemas: a mismatch is a 500 and a violation)
    accounting_sandbox         function: the same sandbox, reset (demo ledgers seeded);
                               an `AccountingSandboxHandle`

Register with `pytest_plugins = ["accounting_sandbox.pytest_plugin"]`.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from accounting_sandbox import seed
from accounting_sandbox.config import Config
from accounting_sandbox.sandbox import Sandbox


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def http(
    method: str, url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """One request, redirects not followed: (status, headers, body)."""
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})  # noqa: S310
    try:
        with _opener.open(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


@dataclass
class AccountingSandboxHandle:
    sandbox: Sandbox
    xero_us: str = seed.XERO_US
    xero_uk: str = seed.XERO_UK
    qbo_us: str = seed.QBO_US
    qbo_uk: str = seed.QBO_UK
    qbo_ca: str = seed.QBO_CA
    qbo_au: str = seed.QBO_AU

    @property
    def base_url(self) -> str:
        return self.sandbox.base_url

    @property
    def config(self) -> Config:
        return self.sandbox.config

    def settings(self) -> dict[str, str]:
        """Firmpay's XERO_* / QUICKBOOKS_* settings pointed at this sandbox."""
        b, c = self.base_url, self.config
        return {
            "XERO_CLIENT_ID": c.xero_client_id,
            "XERO_CLIENT_SECRET": c.xero_client_secret,
            "XERO_AUTHORIZE_URL": f"{b}/xero/identity/connect/authorize",
            "XERO_TOKEN_URL": f"{b}/xero/connect/token",
            "XERO_REVOKE_URL": f"{b}/xero/connect/revocation",
            "XERO_API_BASE": f"{b}/xero",
            "XERO_APP_URL": f"{b}/xero/app",
            "QUICKBOOKS_CLIENT_ID": c.quickbooks_client_id,
            "QUICKBOOKS_CLIENT_SECRET": c.quickbooks_client_secret,
            "QUICKBOOKS_AUTHORIZE_URL": f"{b}/quickbooks/connect/oauth2",
            "QUICKBOOKS_TOKEN_URL": f"{b}/quickbooks/oauth2/v1/tokens/bearer",
            "QUICKBOOKS_REVOKE_URL": f"{b}/quickbooks/v2/oauth2/tokens/revoke",
            "QUICKBOOKS_API_BASE": f"{b}/quickbooks",
            "QUICKBOOKS_APP_URL": f"{b}/quickbooks",
        }

    def control(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        status, _, raw = http(
            method.upper(),
            self.base_url + "/_sandbox/" + path.lstrip("/"),
            data=data,
            headers={"Content-Type": "application/json"},
        )
        if status >= 400:
            raise AssertionError(f"control {method} {path}: {status} {raw!r}")
        return json.loads(raw or b"null")

    def advance(self, **delta: float) -> int:
        return self.control("POST", "clock/advance", delta)["now"]

    def fault(self, **spec: Any) -> None:
        self.control("POST", "faults", spec)

    def violations(self) -> list[dict[str, Any]]:
        return self.control("GET", "violations")["violations"]

    # -- consent without a browser --------------------------------------------------------
    def consent(
        self,
        vendor: str,
        *,
        redirect_uri: str = "http://127.0.0.1/callback",
        scope: str | None = None,
        state: str = "st",
        choose: list[str] | None = None,
        decision: str = "allow",
    ) -> dict[str, str]:
        """Open the authorize URL and submit the consent form; returns the redirect's query."""
        if vendor == "xero":
            scope = scope or (
                "openid profile email offline_access accounting.contacts "
                "accounting.settings.read accounting.invoices accounting.payments "
                "accounting.banktransactions"
            )
            path, client = "/xero/identity/connect/authorize", self.config.xero_client_id
            form_path, key = "/xero/identity/connect/consent", "tenant"
            choose = choose if choose is not None else [self.xero_us]
        else:
            scope = scope or "com.intuit.quickbooks.accounting"
            path, client = "/quickbooks/connect/oauth2", self.config.quickbooks_client_id
            form_path, key = "/quickbooks/connect/consent", "realm"
            choose = choose if choose is not None else [self.qbo_us]
        params = {
            "response_type": "code",
            "client_id": client,
            "redirect_uri": redirect_uri,
            "scope": scope,
            "state": state,
        }
        status, headers, _ = http("GET", f"{self.base_url}{path}?{urllib.parse.urlencode(params)}")
        if status == 302:  # refused before the page: the error is on the redirect
            return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(headers["Location"]).query))
        assert status == 200, status
        form = [(k, v) for k, v in params.items() if k != "response_type"]
        form += [(key, c) for c in choose] + [("decision", decision)]
        status, headers, body = http(
            "POST",
            self.base_url + form_path,
            data=urllib.parse.urlencode(form).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert status == 302, body
        return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(headers["Location"]).query))

    def token(self, vendor: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        c = self.config
        creds = (
            (c.xero_client_id, c.xero_client_secret)
            if vendor == "xero"
            else (c.quickbooks_client_id, c.quickbooks_client_secret)
        )
        basic = base64.b64encode(f"{creds[0]}:{creds[1]}".encode()).decode()
        path = "/xero/connect/token" if vendor == "xero" else "/quickbooks/oauth2/v1/tokens/bearer"
        status, _, raw = http(
            "POST",
            self.base_url + path,
            data=urllib.parse.urlencode(form).encode(),
            headers={
                "Authorization": f"Basic {basic}",
                "Accept": "application/json",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        return status, json.loads(raw or b"{}")

    def connect(self, vendor: str, **consent: Any) -> dict[str, Any]:
        """Consent and exchange the code: the token answer (plus `realmId` for QuickBooks)."""
        redirect_uri = consent.setdefault("redirect_uri", "http://127.0.0.1/callback")
        answer = self.consent(vendor, **consent)
        status, tokens = self.token(
            vendor,
            {
                "grant_type": "authorization_code",
                "code": answer["code"],
                "redirect_uri": redirect_uri,
            },
        )
        assert status == 200, tokens
        return {**tokens, **({"realmId": answer["realmId"]} if "realmId" in answer else {})}


@pytest.fixture(scope="session")
def accounting_sandbox_server() -> Iterator[Sandbox]:
    sandbox = Sandbox(Config(port=0, data=":memory:", check_responses=True))
    sandbox.start()
    yield sandbox
    sandbox.stop()


@pytest.fixture
def accounting_sandbox(accounting_sandbox_server: Sandbox) -> Iterator[AccountingSandboxHandle]:
    config = accounting_sandbox_server.config
    knobs = config.knobs()
    accounting_sandbox_server.reset()
    yield AccountingSandboxHandle(accounting_sandbox_server)
    for name, value in knobs.items():
        setattr(config, name, value)
