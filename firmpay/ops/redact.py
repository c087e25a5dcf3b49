"""Redaction of secrets and card data from anything we log.

Configured secrets (the settings named in SECRET_SETTINGS) are replaced by name; Stripe key
and webhook-secret shapes, bearer tokens and Authorization headers, and card-like digit
runs that pass the Luhn check are replaced by a marker whatever their source.

URLs are bearer tokens too: `redact_url` replaces the token parts of our paths (client
invoice links, invitations, password-reset links, unsubscribe links: any URL kwarg named in
PATH_SECRETS) and the values of OAuth `code`/`state` and other secret query parameters.
`redact` applies it to every path it finds in a log message; gunicorn's access log uses it
through `firmpay.ops.access_log`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl, quote, urlsplit

SECRET_SETTINGS = (
    "SECRET_KEY",
    "STRIPE_SECRET_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "ACCOUNTING_TOKEN_KEY",
    "XERO_CLIENT_SECRET",
    "QUICKBOOKS_CLIENT_SECRET",
)
STRIPE_SECRET = re.compile(
    r"\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9_]{6,}|\bwhsec_[A-Za-z0-9+/=_]{6,}"
)
AUTHORIZATION = re.compile(
    r"(?i)(authorization[\"']?\s*[:=]\s*[\"']?)(?:bearer\s+|basic\s+)?[^\s\"',;]+"
)
BEARER = re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]{8,}")
# 13-19 digits, optionally grouped by single spaces or dashes.
CARD_LIKE = re.compile(r"(?<![\d.])\d(?:[ -]?\d){12,18}(?![\d.])")


def _luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _card(match: re.Match) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return "[card]" if _luhn_ok(digits) else match.group(0)


@lru_cache(maxsize=1)
def _configured(values: tuple[str, ...]) -> re.Pattern | None:
    usable = sorted({v for v in values if len(v) >= 8}, key=len, reverse=True)
    if not usable:
        return None
    return re.compile("|".join(re.escape(v) for v in usable))


def configured_secrets() -> tuple[str, ...]:
    from django.conf import settings

    if not settings.configured:
        return ()
    values: list[str] = []
    for name in SECRET_SETTINGS:
        value = getattr(settings, name, "")
        if isinstance(value, str) and name == "ACCOUNTING_TOKEN_KEY":
            value = value.split(",")
        values.extend(value if isinstance(value, list | tuple) else [value])
    for mailer in (getattr(settings, "MAILERS", None) or {}).values():
        values.append((mailer.get("OPTIONS") or {}).get("password", ""))
    for alias in getattr(settings, "DATABASES", {}).values():
        values.append(alias.get("PASSWORD", ""))
    redis_url = getattr(settings, "REDIS_URL", "")
    if "@" in redis_url and ":" in redis_url.split("@")[0].split("//")[-1]:
        values.append(redis_url.split("@")[0].split("//")[-1].split(":", 1)[1])
    return tuple(str(v) for v in values if v)


# URL kwargs that carry a bearer secret, whatever the route.
PATH_SECRETS = frozenset({"token", "uidb64"})
# Query parameters whose value is a secret (OAuth code and state, tokens, signatures).
QUERY_SECRETS = frozenset(
    {
        "code",
        "state",
        "token",
        "access_token",
        "refresh_token",
        "id_token",
        "key",
        "secret",
        "password",
        "signature",
        "sig",
        "client_secret",
    }
)
# A path segment that looks like a token even where no route matched (a probe, a 404): long,
# URL-safe, letters and digits mixed.
_TOKEN_RUN = re.compile(r"[A-Za-z0-9_:\-]{32,}")
# A path in free text: starts with "/" after a space, quote or the start; up to whitespace.
_PATH_IN_TEXT = re.compile(r"(?:(?<=[\s\"'(=])|^)/[^\s\"'<>]*")
REDACTED = "[redacted]"


def _tokenish(text: str) -> str:
    """Runs of 32+ URL-safe characters that mix letters and digits, replaced (linear time:
    the run is found first, then looked at)."""

    def replace(match: re.Match) -> str:
        run = match.group(0)
        has_digit = any(c.isdigit() for c in run)
        has_letter = any(c.isalpha() for c in run)
        return REDACTED if has_digit and has_letter else run

    return _TOKEN_RUN.sub(replace, text)


def redact_url(url: str) -> str:
    """A path (with its query) with its bearer parts replaced by [redacted]."""
    if not url or ("/" not in url and "=" not in url):
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return _tokenish(url)
    path = _path_redacted(parts.path)
    query = redact_query(parts.query)
    prefix = f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
    return prefix + path + (f"?{query}" if query or url.endswith("?") else "")


def redact_query(query: str) -> str:
    if not query:
        return query
    try:
        pairs = parse_qsl(query, keep_blank_values=True)
    except ValueError:
        return _tokenish(query)
    if not any(name.lower() in QUERY_SECRETS for name, _ in pairs):
        return _tokenish(query)
    return "&".join(
        f"{quote(name, safe='')}="
        + (REDACTED if name.lower() in QUERY_SECRETS else _tokenish(quote(value, safe="")))
        for name, value in pairs
    )


def _path_redacted(path: str) -> str:
    secrets_in_path = _route_secrets(path)
    for value in secrets_in_path:
        path = path.replace(f"/{value}/", f"/{REDACTED}/").replace(f"/{value}", f"/{REDACTED}")
    return _tokenish(path)


def _route_secrets(path: str) -> list[str]:
    """The values of PATH_SECRETS kwargs in the route this path resolves to."""
    try:
        from django.conf import settings
        from django.urls import Resolver404, resolve

        if not settings.configured:
            return []
        try:
            match = resolve(path)
        except Resolver404:
            return []
    except Exception:  # noqa: BLE001 - a logger must never fail on a path
        return []
    return [str(v) for k, v in match.kwargs.items() if k in PATH_SECRETS and v]


def redact(text: str) -> str:
    if not text:
        return text
    if "/" in text:
        text = _PATH_IN_TEXT.sub(lambda m: redact_url(m.group(0)), text)
    configured = _configured(configured_secrets())
    if configured is not None:
        text = configured.sub("[secret]", text)
    text = STRIPE_SECRET.sub("[secret]", text)
    text = AUTHORIZATION.sub(r"\1[secret]", text)
    text = BEARER.sub("Bearer [secret]", text)
    return CARD_LIKE.sub(_card, text)
