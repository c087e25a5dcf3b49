"""Webhook signatures, the signing secrets, and missed events (the endpoint itself is
registered by `endpoints.py`).

The hot path is `verify(...)`: `WebhookSignature.verify_header` per configured secret
(~7 µs each); building a Stripe Event object (`construct_event`, ~40× slower) is left out.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from django.conf import settings
from stripe import SignatureVerificationError, WebhookSignature

from firmpay.payments.exceptions import WebhookPayloadInvalid, WebhookSignatureInvalid
from firmpay.payments.stripe.client import get_client
from firmpay.payments.stripe.errors import translated_errors

TOLERANCE_SECONDS = 300
# The stored secret's file is looked at (a stat) at most this often, not per delivery.
STORED_RECHECK_S = 1.0

_stored_cache: dict[str, tuple[float, float, str]] = {}  # path -> (checked at, mtime, value)


def stored_secret_path() -> Path:
    return Path(settings.STRIPE_WEBHOOK_SECRET_FILE)


def stored_secret() -> str:
    """The secret `manage.py stripe_setup` stored, re-read when the file changes (looked
    at once a second at most: `stripe_setup` in another process is seen within 1 s)."""
    key = settings.STRIPE_WEBHOOK_SECRET_FILE
    now = time.monotonic()
    cached = _stored_cache.get(key)
    if cached and now - cached[0] < STORED_RECHECK_S:
        return cached[2]
    try:
        mtime = os.stat(key).st_mtime
    except OSError:
        _stored_cache.pop(key, None)
        return ""
    value = cached[2] if cached and cached[1] == mtime else Path(key).read_text().strip()
    _stored_cache[key] = (now, mtime, value)
    return value


def store_secret(secret: str) -> Path:
    path = stored_secret_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secret)
    tmp.replace(path)
    _stored_cache.pop(str(path), None)
    return path


def signing_secrets() -> list[str]:
    """STRIPE_WEBHOOK_SECRET (several while one is rolled) plus the stored one."""
    secrets = list(settings.STRIPE_WEBHOOK_SECRET)
    stored = stored_secret()
    if stored and stored not in secrets:
        secrets.append(stored)
    return secrets


def verify(payload: bytes | str, sig_header: str, secrets: list[str] | None = None) -> None:
    """Raise WebhookSignatureInvalid unless one secret signed `payload` within 300 s."""
    if not sig_header:
        raise WebhookSignatureInvalid("missing Stripe-Signature header")
    if isinstance(payload, bytes):
        try:
            payload = payload.decode("utf-8")
        except UnicodeDecodeError as error:
            raise WebhookPayloadInvalid("body is not UTF-8") from error
    for secret in signing_secrets() if secrets is None else secrets:
        try:
            WebhookSignature.verify_header(payload, sig_header, secret, TOLERANCE_SECONDS)
            return
        except SignatureVerificationError:
            continue
    raise WebhookSignatureInvalid("no configured secret matches the signature")


def sign(payload: str | bytes, secret: str, timestamp: int | None = None) -> str:
    """A valid Stripe-Signature header (tests and the benchmark)."""
    if isinstance(payload, bytes):
        payload = payload.decode("utf-8")
    return WebhookSignature.generate_signature_header(payload, secret, timestamp)


def events_undelivered(*, account_id: str, since: datetime) -> Iterator[tuple[str, str]]:
    """(event id, payload JSON) of the account's events whose delivery failed since `since`."""
    params = {"delivery_success": False, "created": {"gte": int(since.timestamp())}, "limit": 100}
    with translated_errors("events list"):
        page = get_client().v1.events.list(params=params, options={"stripe_account": account_id})
        for event in page.auto_paging_iter():
            yield event.id, json.dumps(event.to_dict(for_json=True))
