"""Helpers resource handlers share: fetch-or-404, create, list pages, events.

Everything acts on `req.account` (the platform or the connected account
named by `Stripe-Account`), which is how scoping holds everywhere.
"""

from __future__ import annotations

from typing import Any

from stripe_sandbox import errors, objects
from stripe_sandbox.router import Request


def get_or_404(req: Request, kind: str, object_id: str, *, param: str = "id") -> dict[str, Any]:
    obj = req.sb.store.get(kind, object_id, account=req.account)
    if obj is None:
        raise errors.resource_missing(kind, object_id, param=param)
    return obj


def current_account(req: Request) -> dict[str, Any]:
    """The account the call acts on (the connected account, or the
    platform's own), with its `_sandbox` state: check capabilities here."""
    from stripe_sandbox.resources.accounts import current

    return current(req)


def create(req: Request, kind: str, **fields: Any) -> dict[str, Any]:
    """Build `kind` from its fixture with `fields`, store it on req.account."""
    obj = objects.build(kind, now=req.sb.clock.now(), **fields)
    return req.sb.store.insert(obj, account=req.account)


def save(req: Request, obj: dict[str, Any]) -> dict[str, Any]:
    return req.sb.store.save(obj)


def list_page(
    req: Request,
    kind: str,
    url: str,
    *,
    where: dict[str, Any] | None = None,
    predicate=None,
    created: Any = None,
    account: Any = None,
) -> dict[str, Any]:
    """A Stripe list object honouring limit / starting_after / ending_before."""
    params = req.params
    limit = int(params.get("limit") or 10)
    if not 1 <= limit <= 100:
        raise errors.invalid_request(
            "Invalid integer: limit must be between 1 and 100",
            param="limit",
            code="parameter_invalid_integer",
        )
    items, has_more = req.sb.store.list(
        kind,
        account=req.account if account is None else account,
        limit=limit,
        starting_after=params.get("starting_after"),
        ending_before=params.get("ending_before"),
        where=where,
        predicate=predicate,
        created=created if created is not None else params.get("created"),
    )
    return objects.list_object(url, items, has_more)


def emit(
    req: Request,
    type: str,
    obj: dict[str, Any],
    *,
    previous_attributes: dict[str, Any] | None = None,
    account: str | None = None,
) -> dict[str, Any]:
    return req.sb.emit(
        type,
        obj,
        account=req.account if account is None else account,
        previous_attributes=previous_attributes,
        request=req.stripe_request(),
    )


def metadata_merge(current: dict[str, str], update: Any) -> dict[str, str]:
    """Stripe's metadata semantics: '' clears all, a key set to '' is removed."""
    if update == "":
        return {}
    merged = dict(current or {})
    for key, value in (update or {}).items():
        if value == "":
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged
