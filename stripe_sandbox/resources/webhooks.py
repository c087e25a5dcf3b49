"""/v1/webhook_endpoints, plus the control call that rolls a secret."""

from __future__ import annotations

from typing import Any

import stripe.params as sp

from stripe_sandbox import api, errors, events, objects, webhook_secrets
from stripe_sandbox.router import Request, Router

router = Router()


def _check_url(url: str) -> None:
    if not url.startswith(("http://", "https://")):
        raise errors.invalid_request(f"Invalid URL: {url}", param="url", code="url_invalid")


@router.post("/v1/webhook_endpoints", params=sp.WebhookEndpointCreateParams)
def endpoint_create(req: Request) -> dict[str, Any]:
    p = req.params
    _check_url(p["url"])
    connect = bool(p.get("connect"))
    endpoint = objects.build(
        "webhook_endpoint",
        now=req.sb.clock.now(),
        url=p["url"],
        enabled_events=p["enabled_events"],
        description=p.get("description"),
        metadata=api.metadata_merge({}, p.get("metadata")),
        api_version=p.get("api_version"),
        status="enabled",
        application=req.sb.config.client_id if connect else None,
    )
    objects.private(endpoint)["connect"] = connect
    secret = webhook_secrets.init(endpoint)
    req.sb.store.insert(endpoint, account=req.account)
    # Stripe shows the secret only in the create response.
    return {**objects.public(endpoint), "secret": secret}


@router.get("/v1/webhook_endpoints/{endpoint}", params=sp.WebhookEndpointRetrieveParams)
def endpoint_retrieve(req: Request, endpoint: str) -> dict[str, Any]:
    return api.get_or_404(req, "webhook_endpoint", endpoint, param="webhook_endpoint")


@router.post("/v1/webhook_endpoints/{endpoint}", params=sp.WebhookEndpointUpdateParams)
def endpoint_update(req: Request, endpoint: str) -> dict[str, Any]:
    obj = api.get_or_404(req, "webhook_endpoint", endpoint, param="webhook_endpoint")
    p = req.params
    if "url" in p:
        _check_url(p["url"])
        obj["url"] = p["url"]
    for key in ("enabled_events", "description"):
        if key in p:
            obj[key] = p[key]
    if "metadata" in p:
        obj["metadata"] = api.metadata_merge(obj.get("metadata") or {}, p["metadata"])
    if "disabled" in p:
        obj["status"] = "disabled" if p["disabled"] else "enabled"
    return api.save(req, obj)


@router.delete("/v1/webhook_endpoints/{endpoint}", params=sp.WebhookEndpointDeleteParams)
def endpoint_delete(req: Request, endpoint: str) -> dict[str, Any]:
    api.get_or_404(req, "webhook_endpoint", endpoint, param="webhook_endpoint")
    req.sb.store.delete("webhook_endpoint", endpoint)
    return objects.deleted("webhook_endpoint", endpoint)


@router.get("/v1/webhook_endpoints", params=sp.WebhookEndpointListParams)
def endpoint_list(req: Request) -> dict[str, Any]:
    return api.list_page(req, "webhook_endpoint", "/v1/webhook_endpoints")


@router.post("/_sandbox/webhook_endpoints/{endpoint}/roll_secret", kind="control")
def roll_secret(req: Request, endpoint: str) -> dict[str, Any]:
    """Body: {"expires_in": seconds the old secret keeps signing (default 24 h)}."""
    obj = req.sb.store.get("webhook_endpoint", endpoint)
    if obj is None:
        raise errors.resource_missing("webhook_endpoint", endpoint)
    expires_in = req.params.get("expires_in")
    secret = webhook_secrets.roll(req.sb, obj, None if expires_in is None else int(expires_in))
    req.sb.store.save(obj)
    return {"secret": secret, "signing_secrets": webhook_secrets.signing(req.sb, obj)}


@router.post("/_sandbox/events/{event}/redeliver", kind="control")
def event_redeliver(req: Request, event: str) -> dict[str, Any]:
    """Body: {"api_version": "2025-...", "endpoint": "we_..." (default: every
    matching endpoint)}. Delivers the event again, labelled with that version
    (the SDK's pinned one if omitted), e.g. to prove a receiver flags events
    of a version it does not read."""
    obj = req.sb.store.get("event", event)
    if obj is None:
        raise errors.resource_missing("event", event)
    version = str(req.params.get("api_version") or events.API_VERSION)
    sent = req.sb.delivery.redeliver(
        obj, api_version=version, endpoint_id=req.params.get("endpoint")
    )
    return {"event": event, "api_version": version, "endpoints": sent}
