"""The Connect webhook endpoint: subscribed to exactly the event types Firmpay handles
(`events.SUBSCRIBED_EVENT_TYPES`), in the API version the SDK pins (`stripe.api_version`),
so every payload has the shape our mappers read."""

from __future__ import annotations

import stripe

from firmpay.payments.stripe.client import get_client
from firmpay.payments.stripe.dataclasses import WebhookEndpoint
from firmpay.payments.stripe.errors import translated_errors
from firmpay.payments.stripe.events import SUBSCRIBED_EVENT_TYPES

# The version of every object the SDK (and so every mapper here) reads.
PINNED_API_VERSION: str = stripe.api_version


def endpoint_ensure(url: str) -> WebhookEndpoint:
    """The Connect endpoint for `url`, in the pinned API version and subscribed to exactly
    the handled types. An endpoint for the URL in that version is reused, its subscriptions
    brought up to date (its secret is then unknown: `secret=None`). One in another version
    (or the account's default) cannot be changed in place (Stripe fixes an endpoint's
    version at creation): it is replaced, and the new one's secret returned once."""
    events = list(SUBSCRIBED_EVENT_TYPES)
    client = get_client()
    replaced = ""
    with translated_errors("webhook endpoint list"):
        for endpoint in client.v1.webhook_endpoints.list(params={"limit": 100}).auto_paging_iter():
            if endpoint.url != url:
                continue
            if getattr(endpoint, "api_version", None) == PINNED_API_VERSION:
                with translated_errors("webhook endpoint update"):
                    client.v1.webhook_endpoints.update(
                        endpoint.id, params={"enabled_events": events}
                    )
                return WebhookEndpoint(id=endpoint.id, url=url, secret=None)
            with translated_errors("webhook endpoint delete"):
                client.v1.webhook_endpoints.delete(endpoint.id)
            replaced = endpoint.id
    with translated_errors("webhook endpoint create"):
        endpoint = client.v1.webhook_endpoints.create(
            params={
                "url": url,
                "connect": True,
                "enabled_events": events,
                "api_version": PINNED_API_VERSION,
                "description": "Firmpay Connect events",
            }
        )
    return WebhookEndpoint(
        id=endpoint.id,
        url=url,
        secret=endpoint.secret,
        api_version=getattr(endpoint, "api_version", None) or "",
        replaced=replaced,
    )


def endpoint_api_version(url: str) -> str | None:
    """The API version the endpoint for `url` renders events in ("" for the account's
    default; None: no such endpoint)."""
    with translated_errors("webhook endpoint list"):
        for endpoint in get_client().v1.webhook_endpoints.list(params={"limit": 100}).data:
            if endpoint.url == url:
                return getattr(endpoint, "api_version", None) or ""
    return None


def endpoint_subscriptions(url: str) -> set[str] | None:
    """The event types Stripe sends to the endpoint for `url` (None: no such endpoint)."""
    with translated_errors("webhook endpoint list"):
        for endpoint in get_client().v1.webhook_endpoints.list(params={"limit": 100}).data:
            if endpoint.url == url:
                return set(endpoint.enabled_events or ())
    return None
