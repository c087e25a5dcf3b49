"""/v1/events: list (type, types, created, delivery_success) and retrieve."""

from __future__ import annotations

import fnmatch
from typing import Any

import stripe.params as sp

from stripe_sandbox import api
from stripe_sandbox.router import Request, Router

router = Router()


def _with_pending(req: Request, event: dict[str, Any]) -> dict[str, Any]:
    event["pending_webhooks"] = req.sb.delivery.pending_count(event["id"])
    return event


@router.get("/v1/events/{event}", params=sp.EventRetrieveParams)
def event_retrieve(req: Request, event: str) -> dict[str, Any]:
    return _with_pending(req, api.get_or_404(req, "event", event))


@router.get("/v1/events", params=sp.EventListParams)
def event_list(req: Request) -> dict[str, Any]:
    p = req.params
    types = list(p.get("types") or []) + ([p["type"]] if p.get("type") else [])
    where = {"type": types[0]} if len(types) == 1 and "*" not in types[0] else None
    tests = []
    if types and where is None:
        tests.append(lambda e: any(fnmatch.fnmatchcase(e["type"], t) for t in types))
    if "delivery_success" in p:
        unsuccessful = req.sb.delivery.unsuccessful_event_ids()
        wanted = bool(p["delivery_success"])
        tests.append(lambda e: (e["id"] not in unsuccessful) == wanted)
    predicate = (lambda e: all(t(e) for t in tests)) if tests else None
    page = api.list_page(req, "event", "/v1/events", where=where, predicate=predicate)
    for event in page["data"]:
        _with_pending(req, event)
    return page
