"""The Stripe webhook as a bare WSGI app in front of Django (`config/wsgi.py`).

`POST /webhooks/stripe/` is answered here, before Django's handler: no middleware
(sessions, auth, CSRF, messages, firm, request id, throttle ...), no URL resolution, no
HttpRequest, no request_started/request_finished signals (their receivers reset URL
confs, caches and query logs this path never uses, and health-check the database
connection with a round trip per request). It still verifies the signature on the raw
body and stores the event before answering.

The database connection is this process's persistent one, looked after here instead:
closed when older than CONN_MAX_AGE (checked before the request) or after an error that
left it unusable; when the stored connection turns out dead at the INSERT (the database
restarted), the request reconnects and tries once more. Every other request (and any other
method on this path) goes to Django, where the same endpoint is also routed
(`views.stripe_webhook`, used by the test client).
"""

from __future__ import annotations

import json
import logging
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from firmpay.payments.exceptions import WebhookPayloadInvalid, WebhookSignatureInvalid
from firmpay.payments.services.events import stripe_event_ingest

logger = logging.getLogger("firmpay.payments.webhook")

WEBHOOK_PATH = "/webhooks/stripe/"
REASONS = {200: "200 OK", 400: "400 Bad Request", 413: "413 Payload Too Large",
           500: "500 Internal Server Error"}  # fmt: skip


def webhook_answer(*, length: int, read_body, sig_header: str) -> tuple[int, bytes, str]:
    """(status, body, content type) for one delivery. 413 past STRIPE_WEBHOOK_MAX_BYTES;
    400 on a bad or stale signature or a body that is not an event (nothing stored); 200
    for a new event and for a duplicate delivery."""
    if length > settings.STRIPE_WEBHOOK_MAX_BYTES:
        return 413, b"payload too large", "text/plain"
    payload = read_body()
    try:
        event_id, created = _ingest(payload, sig_header)
    except WebhookSignatureInvalid:
        return 400, b"invalid signature", "text/plain"
    except WebhookPayloadInvalid:
        return 400, b"invalid payload", "text/plain"
    body = json.dumps({"received": event_id, "duplicate": not created}).encode()
    return 200, body, "application/json"


def _ingest(payload: bytes, sig_header: str) -> tuple[str, bool]:
    """`stripe_event_ingest` on this process's connection; once more on a fresh connection
    when the kept one turned out dead (nothing was stored by the failed try)."""
    try:
        return stripe_event_ingest(payload=payload, sig_header=sig_header)
    except DatabaseError:
        db = connections[DEFAULT_DB_ALIAS]
        if db.in_atomic_block or db.connection is None or db.is_usable():
            raise  # not a dead connection (a lock timeout, a constraint): answer 500
        db.close()
    return stripe_event_ingest(payload=payload, sig_header=sig_header)


def connection_checked_in() -> None:
    """Before a request: drop the kept connection when CONN_MAX_AGE has passed (what
    Django's request_started receiver does, without its per-request health check)."""
    db = connections[DEFAULT_DB_ALIAS]
    if db.close_at is not None and time.monotonic() >= db.close_at and not db.in_atomic_block:
        db.close()


def connection_checked_out() -> None:
    """After a request: close the connection if the request left it broken."""
    db = connections[DEFAULT_DB_ALIAS]
    if db.errors_occurred and not db.in_atomic_block:
        db.close_if_unusable_or_obsolete()


def content_length(value: str | None) -> int:
    try:
        return max(int(value or 0), 0)
    except ValueError:
        return 0


def stripe_webhook_wsgi(environ, start_response):
    length = content_length(environ.get("CONTENT_LENGTH"))
    connection_checked_in()
    try:
        status, body, content_type = webhook_answer(
            length=length,
            read_body=lambda: environ["wsgi.input"].read(length) if length else b"",
            sig_header=environ.get("HTTP_STRIPE_SIGNATURE", ""),
        )
    except Exception:  # noqa: BLE001 - the database is away: Stripe retries a 500
        logger.exception("webhook could not store the event")
        status, body, content_type = 500, b"server error", "text/plain"
    finally:
        connection_checked_out()
    start_response(
        REASONS[status], [("Content-Type", content_type), ("Content-Length", str(len(body)))]
    )
    return [body]


def with_lean_webhook(django_app):
    """`django_app`, except POST /webhooks/stripe/, which `stripe_webhook_wsgi` answers."""

    def application(environ, start_response):
        if environ.get("PATH_INFO") == WEBHOOK_PATH and environ.get("REQUEST_METHOD") == "POST":
            return stripe_webhook_wsgi(environ, start_response)
        return django_app(environ, start_response)

    return application
