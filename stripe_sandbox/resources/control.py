"""Core control API under /_sandbox/: reset, clock, faults, deliveries, config.

Control calls take and return JSON and need no key; the sandbox only ever
listens on loopback. Payment controls live in their own modules.
"""

from __future__ import annotations

import time
from typing import Any

from stripe_sandbox import errors
from stripe_sandbox.router import Request, Router

router = Router()


@router.post("/_sandbox/reset", kind="control", atomic=False)
def reset(req: Request) -> dict[str, Any]:
    req.sb.reset()
    return {"reset": True, "now": req.sb.clock.now()}


@router.get("/_sandbox/clock", kind="control")
def clock(req: Request) -> dict[str, Any]:
    return {"now": req.sb.clock.now(), "offset": req.sb.clock.offset}


@router.post("/_sandbox/clock/advance", kind="control", atomic=False)
def clock_advance(req: Request) -> dict[str, Any]:
    """Body: {"seconds": N} (or minutes/hours/days); runs what becomes due."""
    p = req.params
    seconds = (
        float(p.get("seconds", 0))
        + 60 * float(p.get("minutes", 0))
        + 3600 * float(p.get("hours", 0))
        + 86400 * float(p.get("days", 0))
    )
    if seconds < 0:
        raise errors.invalid_request("The sandbox clock only moves forward.")
    return {"now": req.sb.advance(seconds), "offset": req.sb.clock.offset}


@router.get("/_sandbox/faults", kind="control")
def faults_show(req: Request) -> dict[str, Any]:
    return req.sb.faults.describe()


@router.post("/_sandbox/faults", kind="control")
def faults_set(req: Request) -> dict[str, Any]:
    """Body: {"api": {"mode": "500"|"429"|"hang", "count": N, "hang_seconds": S},
    "events": {"mode": "duplicate"|"shuffle"|"delay"|"drop", "count": N,
               "delay_seconds": S}}"""
    try:
        if api := req.params.get("api"):
            req.sb.faults.set_api(
                str(api["mode"]), int(api.get("count", 1)), float(api.get("hang_seconds", 10))
            )
        if ev := req.params.get("events"):
            req.sb.faults.set_events(
                str(ev["mode"]), int(ev.get("count", 1)), float(ev.get("delay_seconds", 30))
            )
    except (KeyError, ValueError, TypeError) as exc:
        raise errors.invalid_request(f"Invalid fault: {exc}") from None
    return req.sb.faults.describe()


@router.delete("/_sandbox/faults", kind="control")
def faults_clear(req: Request) -> dict[str, Any]:
    req.sb.faults.clear()
    req.sb.delivery.release_held()
    return req.sb.faults.describe()


@router.get("/_sandbox/events/{event}/deliveries", kind="control")
def event_deliveries(req: Request, event: str) -> dict[str, Any]:
    return {"event": event, "deliveries": req.sb.delivery.for_event(event)}


@router.post("/_sandbox/webhooks/drain", kind="control", atomic=False)
def webhooks_drain(req: Request) -> dict[str, Any]:
    """Wait (up to {"timeout": S}, default 5) until no delivery is due now."""
    deadline = time.monotonic() + float(req.params.get("timeout", 5))
    req.sb.delivery.wake()
    while time.monotonic() < deadline:
        if req.sb.delivery.idle():
            time.sleep(0.02)  # let an in-flight POST record its result
            if req.sb.delivery.idle():
                return {"idle": True}
        time.sleep(0.02)
    return {"idle": False}


@router.get("/_sandbox/jobs", kind="control")
def jobs(req: Request) -> dict[str, Any]:
    return {"jobs": req.sb.scheduler.pending()}


@router.get("/_sandbox/config", kind="control")
def config_show(req: Request) -> dict[str, Any]:
    c = req.sb.config
    return {
        "secret_key": c.secret_key,
        "publishable_key": c.publishable_key,
        "client_id": c.client_id,
        "verification_delay": c.verification_delay,
        "base_url": req.sb.base_url,
        "webhook_retry_base": c.webhook_retry_base,
        "webhook_max_attempts": c.webhook_max_attempts,
        "default_api_version": c.default_api_version,
    }


@router.post("/_sandbox/config", kind="control")
def config_update(req: Request) -> dict[str, Any]:
    """Runtime knobs: verification_delay (null = control call only),
    webhook_retry_base, webhook_max_attempts, default_api_version."""
    c = req.sb.config
    if req.params.get("default_api_version"):
        c.default_api_version = str(req.params["default_api_version"])
    for name in ("verification_delay", "webhook_retry_base", "webhook_max_attempts"):
        if name in req.params:
            value = req.params[name]
            setattr(c, name, None if value is None else type(getattr(c, name) or 0.0)(value))
    return config_show(req)


@router.post("/_sandbox/batch", kind="control", atomic=False)
def batch(req: Request) -> dict[str, Any]:
    """Many requests in one round trip, each exactly as if it had come over HTTP on its own
    (the same pipeline: key, Stripe-Account, params checked, idempotency, handler, events),
    one after the other: for setting up thousands of objects without thousands of
    connections (bench/autopay.py). {"requests": [{"method", "path" (query string allowed),
    "headers": {name: value}, "body": form-encoded str or JSON for control calls}, ...]}
    → {"responses": [{"status", "body"}, ...]}, in order."""
    import json

    from stripe_sandbox import pipeline

    items = req.params.get("requests")
    if not isinstance(items, list):
        raise errors.invalid_request('A batch takes {"requests": [...]}.')
    responses = []
    for item in items:
        path = str(item.get("path") or "")
        if path.startswith("/_sandbox/batch"):
            raise errors.invalid_request("A batch cannot contain a batch.")
        headers = {str(k).lower(): str(v) for k, v in (item.get("headers") or {}).items()}
        body = item.get("body") or ""
        if not isinstance(body, str):
            body = json.dumps(body)
            headers.setdefault("content-type", "application/json")
        headers.setdefault("content-type", "application/x-www-form-urlencoded")
        response = pipeline.handle(
            req.sb,
            str(item.get("method") or "GET").upper(),
            path,
            headers,
            body.encode(),
            req.client_ip,
        )
        if response is None:  # a "hang" fault: what the client would see as no answer
            responses.append({"status": None, "body": None})
            continue
        raw = response.body.decode() if isinstance(response.body, bytes) else response.body
        responses.append(
            {
                "status": response.status,
                "body": json.loads(raw)
                if response.content_type.startswith("application/json")
                else raw,
            }
        )
    return {"responses": responses}
