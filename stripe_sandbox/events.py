"""Events: created by whatever changes state, then delivered by `delivery`.

Resource modules call `sb.emit(type, obj, account=..., previous_attributes=...)`
inside their request or job; the event is stored under the owning account
(connected-account events carry `account`) and queued for every matching
webhook endpoint in the same transaction.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import stripe

from stripe_sandbox import objects
from stripe_sandbox.store import PLATFORM

if TYPE_CHECKING:
    from stripe_sandbox.sandbox import Sandbox

API_VERSION = stripe.api_version


def emit(
    sb: Sandbox,
    type: str,
    obj: dict[str, Any],
    *,
    account: str | None = PLATFORM,
    previous_attributes: dict[str, Any] | None = None,
    request: dict[str, Any] | None = None,
    owner: str | None = None,
) -> dict[str, Any]:
    """`account` is what the event says (`event.account`); `owner` is who can
    list it, the account by default. Application events (deauthorized) are
    the platform's: the account can no longer be reached afterwards."""
    data: dict[str, Any] = {"object": copy.deepcopy(objects.public(obj))}
    if previous_attributes:
        data["previous_attributes"] = previous_attributes
    event = objects.build(
        "event",
        now=sb.clock.now(),
        api_version=API_VERSION,
        data=data,
        type=type,
        request=request or {"id": None, "idempotency_key": None},
        pending_webhooks=0,
    )
    if account:
        event["account"] = account
    sb.store.insert(event, account=account if owner is None else owner)
    sb.delivery.enqueue(event)
    return event


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Stripe's `previous_attributes`: old values of what changed, nested
    dicts reduced to their changed keys."""
    previous: dict[str, Any] = {}
    for key, old in before.items():
        if key == objects.PRIVATE or key not in after:
            continue
        new = after[key]
        if old == new:
            continue
        if isinstance(old, dict) and isinstance(new, dict) and old.get("object") != "list":
            previous[key] = changed_fields(old, new) or old
        else:
            previous[key] = old
    return previous
