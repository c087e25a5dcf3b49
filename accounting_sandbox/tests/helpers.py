"""Calling the sandbox's APIs in tests, as a client of Xero or QuickBooks would."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from accounting_sandbox.pytest_plugin import AccountingSandboxHandle, http


def xero(
    sb: AccountingSandboxHandle,
    token: str,
    method: str,
    path: str,
    body: Any = None,
    *,
    tenant: str | None = None,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], Any]:
    all_headers = {
        "Authorization": f"Bearer {token}",
        "Accept": "application/json",
        "Xero-Tenant-Id": tenant or sb.xero_us,
        **(headers or {}),
    }
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        all_headers["Content-Type"] = "application/json"
    url = f"{sb.base_url}/xero/api.xro/2.0/{path}" + (f"?{urlencode(query)}" if query else "")
    status, got, raw = http(method, url, data=data, headers=all_headers)
    return status, got, json.loads(raw) if raw and raw[:1] in b"{[" else raw


def qbo(
    sb: AccountingSandboxHandle,
    token: str,
    method: str,
    path: str,
    body: Any = None,
    *,
    realm: str | None = None,
    query: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], Any]:
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    params = {"minorversion": "75", **(query or {})}
    url = f"{sb.base_url}/quickbooks/v3/company/{realm or sb.qbo_us}/{path}?{urlencode(params)}"
    status, got, raw = http(method, url, data=data, headers=headers)
    return status, got, json.loads(raw) if raw and raw[:1] in b"{[" else raw
