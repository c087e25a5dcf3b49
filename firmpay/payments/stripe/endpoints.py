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
    """The Connect endpoint for `url`: reused when it exists (its secret is then unknown)
    with its subscriptions brought up to date, created with connect=true otherwise (its
    secret returned once)."""
    events = list(SUBSCRIBED_EVENT_TYPES)
    client = get_client()
    with translated_errors("webhook endpoint list"):
        for endpoint in client.v1.webhook_endpoints.list(params={"limit": 100}).auto_paging_iter():
            if endpoint.url == url:
                with translated_errors("webhook endpoint update"):
                    client.v1.webhook_endpoints.update(
                        endpoint.id, params={"enabled_events": events}
                    )
                return WebhookEndpoint(id=endpoint.id, url=url, secret=None)
    with translated_errors("webhook endpoint create"):
        endpoint = client.v1.webhook_endpoints.create(
            params={
                "url": url,
                "connect": True,
                "enabled_events": events,
                "description": "Firmpay Connect events",
            }
        )
    return WebhookEndpoint(id=endpoint.id, url=url, secret=endpoint.secret)


def endpoint_subscriptions(url: str) -> set[str] | None:
    """The event types Stripe sends to the endpoint for `url` (None: no such endpoint)."""
    with translated_errors("webhook endpoint list"):
        for endpoint in get_client().v1.webhook_endpoints.list(params={"limit": 100}).data:
            if endpoint.url == url:
                return set(endpoint.enabled_events or ())
    return None
