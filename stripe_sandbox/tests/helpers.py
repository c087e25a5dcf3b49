"""Plain-HTTP stand-in for a browser on the hosted pages (no redirects followed)."""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass


@dataclass
class Page:
    status: int
    location: str | None
    text: str


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def fetch(
    url: str, data: dict[str, str] | None = None, files: dict[str, tuple[str, bytes]] | None = None
) -> Page:
    headers = {}
    body = None
    if files:
        body, ctype = _multipart(data or {}, files)
        headers["Content-Type"] = ctype
    elif data is not None:
        body = urllib.parse.urlencode(data).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    request = urllib.request.Request(
        url, data=body, headers=headers, method="POST" if body is not None else "GET"
    )
    try:
        with _opener.open(request, timeout=10) as response:
            return Page(response.status, response.headers.get("Location"), response.read().decode())
    except urllib.error.HTTPError as exc:
        return Page(exc.code, exc.headers.get("Location"), exc.read().decode())


def _multipart(data: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in data.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, (filename, content) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def form_action(html: str) -> str:
    return re.search(r"<form method=post action='([^']+)'", html).group(1)


BUSINESS = {
    "business_type": "company",
    "company_name": "Ledger & Co",
    "tax_id": "123456789",
    "phone": "+15555550123",
    "line1": "1 Main St",
    "city": "Springfield",
    "postal_code": "12345",
    "mcc": "8931",
    "url": "https://ledger.example",
    "action": "continue",
}
BANK_US = {
    "account_holder_name": "Ledger & Co",
    "routing_number": "110000000",
    "account_number": "000123456789",
    "action": "continue",
}


def onboard(base_url: str, link_url: str, *, stop_after: str | None = None) -> Page:
    """Walk the hosted onboarding from an account link; stop_after="bank"
    leaves with Save and exit after that step."""
    page = fetch(link_url)
    session_url = page.location
    page = fetch(session_url)
    steps = [
        ("business", BUSINESS, None),
        (
            "document",
            {"action": "continue"},
            {"document": ("incorporation.pdf", b"%PDF-1.4 sandbox")},
        ),
        ("bank", BANK_US, None),
        ("review", {"tos": "accepted", "action": "continue"}, None),
    ]
    for name, data, files in steps:
        action = form_action(page.text)
        assert action.endswith("/" + name), (action, page.text[:500])
        if stop_after == name:
            data = {**data, "action": "save_exit"}
        result = fetch(base_url + action, data, files)
        assert result.status == 302, result.text[:800]
        if stop_after == name or name == "review":
            return result
        page = fetch(result.location)
    raise AssertionError("unreachable")
