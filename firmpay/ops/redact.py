"""Redaction of secrets and card data from anything we log.

Configured secrets (the settings named in SECRET_SETTINGS) are replaced by name; Stripe key
and webhook-secret shapes, bearer tokens and Authorization headers, and card-like digit
runs that pass the Luhn check are replaced by a marker whatever their source.
"""

from __future__ import annotations

import re
from functools import lru_cache

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


def redact(text: str) -> str:
    if not text:
        return text
    configured = _configured(configured_secrets())
    if configured is not None:
        text = configured.sub("[secret]", text)
    text = STRIPE_SECRET.sub("[secret]", text)
    text = AUTHORIZATION.sub(r"\1[secret]", text)
    text = BEARER.sub("Bearer [secret]", text)
    return CARD_LIKE.sub(_card, text)
