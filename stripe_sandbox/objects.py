"""Response objects built on Stripe's own example objects (fixtures3.json).

`build(kind, **fields)` starts from the fixture for that resource with its
example values blanked, so every top-level field Stripe returns is present
even when the sandbox has nothing to say about it.
"""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

from stripe_sandbox.ids import new_id

FIXTURES = Path(__file__).with_name("fixtures") / "fixtures3.json"

# Private state kept on stored objects and stripped from every response.
PRIVATE = "_sandbox"


@functools.cache
def fixtures() -> dict[str, Any]:
    return json.loads(FIXTURES.read_text())["resources"]


def _blank(value: Any, top: bool) -> Any:
    """Example values out, shapes in: nested nulls/lists/bools survive."""
    if isinstance(value, dict):
        if value.get("object") == "list":
            return {**value, "data": [], "has_more": False}
        return {k: _blank(v, False) for k, v in value.items()}
    if isinstance(value, list):
        return []
    if isinstance(value, bool):
        return value
    if isinstance(value, str | int | float):
        return None if top or isinstance(value, str) else value
    return value


@functools.cache
def _template(kind: str) -> str:
    example = fixtures()[kind]
    blank = {k: (v if k == "object" else _blank(v, True)) for k, v in example.items()}
    if "livemode" in blank:
        blank["livemode"] = False
    if "metadata" in blank:
        blank["metadata"] = {}
    return json.dumps(blank)


def template(kind: str) -> dict[str, Any]:
    return json.loads(_template(kind))


def build(
    kind: str, *, now: int | None = None, id: str | None = None, **fields: Any
) -> dict[str, Any]:
    """A new object of `kind` with a fresh id; `fields` override the template."""
    obj = template(kind) if kind in fixtures() else {"object": kind}
    obj["id"] = id or new_id(kind)
    if "created" in obj or now is not None:
        obj["created"] = now
    obj.update(fields)
    return obj


def public(obj: dict[str, Any]) -> dict[str, Any]:
    if PRIVATE in obj:
        obj = {k: v for k, v in obj.items() if k != PRIVATE}
    return obj


def private(obj: dict[str, Any]) -> dict[str, Any]:
    return obj.setdefault(PRIVATE, {})


def deleted(kind: str, object_id: str) -> dict[str, Any]:
    return {"id": object_id, "object": kind, "deleted": True}


def list_object(url: str, data: list[dict[str, Any]], has_more: bool) -> dict[str, Any]:
    return {"object": "list", "data": [public(d) for d in data], "has_more": has_more, "url": url}


def expand(obj: Any, paths: list[str], lookup) -> Any:
    """Replace ids at dotted `paths` by the objects `lookup(id)` returns."""
    for path in paths:
        obj = _expand_one(obj, path.split("."), lookup)
    return obj


def _expand_one(node: Any, parts: list[str], lookup) -> Any:
    if not parts or not isinstance(node, dict):
        return node
    head, rest = parts[0], parts[1:]
    if head == "data" and isinstance(node.get("data"), list):
        node["data"] = [_expand_one(item, rest, lookup) for item in node["data"]]
        return node
    value = node.get(head)
    if isinstance(value, str) and not rest:
        found = lookup(value)
        if found is not None:
            node[head] = public(copy.deepcopy(found))
    elif isinstance(value, str) and rest:
        found = lookup(value)
        if found is not None:
            node[head] = _expand_one(public(copy.deepcopy(found)), rest, lookup)
    elif isinstance(value, dict):
        node[head] = _expand_one(value, rest, lookup)
    return node
