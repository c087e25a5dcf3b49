"""The Stripe webhook as a bare WSGI app in front of Django (`config/wsgi.py`).

`POST /webhooks/stripe/` is answered here, before Django's handler: no middleware
(sessions, auth, CSRF, messages, firm, request id, throttle ...), no URL resolution, no
HttpRequest. It still verifies the signature on the raw body and stores the event before
answering, and sends Django's request_started/request_finished signals so persistent
database connections are checked and recycled as for any request. Every other request
(and any other method on this path) goes to Django, where the same endpoint is also
routed (`views.stripe_webhook`, used by the test client).
"""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.core import signals

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
    try:
        event_id, created = stripe_event_ingest(payload=read_body(), sig_header=sig_header)
    except WebhookSignatureInvalid:
        return 400, b"invalid signature", "text/plain"
    except WebhookPayloadInvalid:
        return 400, b"invalid payload", "text/plain"
    body = json.dumps({"received": event_id, "duplicate": not created}).encode()
    return 200, body, "application/json"


def content_length(value: str | None) -> int:
    try:
        return max(int(value or 0), 0)
    except ValueError:
        return 0


def stripe_webhook_wsgi(environ, start_response):
    length = content_length(environ.get("CONTENT_LENGTH"))
    signals.request_started.send(sender=stripe_webhook_wsgi, environ=environ)
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
        signals.request_finished.send(sender=stripe_webhook_wsgi)
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
