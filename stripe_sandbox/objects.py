"""Response objects built on Stripe's own example objects (fixtures3.json).

`build(kind, **fields)` starts from the fixture for that resource with its
example values blanked by the SDK's own types for that resource, so every
field Stripe returns is present even when the sandbox has nothing to say
about it, and nothing of the example leaks into an answer.
"""

from __future__ import annotations

import copy
import functools
import json
import typing
from pathlib import Path
from typing import Any

from stripe import StripeObject
from stripe._object_classes import get_object_class

from stripe_sandbox.ids import new_id

FIXTURES = Path(__file__).with_name("fixtures") / "fixtures3.json"

# Private state kept on stored objects and stripped from every response.
PRIVATE = "_sandbox"


@functools.cache
def fixtures() -> dict[str, Any]:
    return json.loads(FIXTURES.read_text())["resources"]


def _required(annotation: Any) -> bool:
    args = typing.get_args(annotation) if typing.get_origin(annotation) is typing.Union else ()
    return annotation is not Any and type(None) not in args


def _nested_class(annotation: Any) -> type | None:
    arms = typing.get_args(annotation) if typing.get_origin(annotation) is typing.Union else ()
    for arm in arms or (annotation,):
        if isinstance(arm, type) and issubclass(arm, StripeObject):
            return arm
    return None


def _blank(value: Any, annotation: Any) -> Any:
    """Example values out, the SDK's shape in: what the SDK types Optional
    is null (an absent nested object is null, not a shell of nulls); a
    required nested object keeps its example's fields, blanked the same way;
    required flags are false, required lists empty, required scalars null
    until the sandbox fills them."""
    if isinstance(value, dict) and value.get("object") == "list":
        return {**value, "data": [], "has_more": False, "url": None}
    if not _required(annotation):
        return None
    if isinstance(value, dict):
        nested = _nested_class(annotation)
        hints = _annotations(nested) if nested else {}
        if not hints:
            return {}
        return {k: _blank(v, hints.get(k, Any)) for k, v in value.items()}
    if isinstance(value, list):
        return []
    if isinstance(value, bool):
        return False
    return None


def _annotations(cls: type) -> dict[str, Any]:
    hints: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        if (
            isinstance(klass, type)
            and issubclass(klass, StripeObject)
            and klass is not StripeObject
        ):
            hints.update(vars(klass).get("__annotations__", {}))
    return hints


@functools.cache
def _template(kind: str) -> str:
    example = fixtures()[kind]
    hints = _annotations(get_object_class("V1", example.get("object", kind)))
    blank = {
        k: (v if k in ("object", "id") else _blank(v, hints.get(k, Any)))
        for k, v in example.items()
    }
    if "livemode" in blank:
        blank["livemode"] = False
    if "metadata" in blank:
        blank["metadata"] = {}
    return json.dumps(blank)


@functools.cache
def _part(kind: str, path: str) -> str:
    example: Any = fixtures()[kind]
    cls: Any = get_object_class("V1", example.get("object", kind))
    for name in path.split("."):
        example = example[name]
        cls = _nested_class(_annotations(cls).get(name, Any))
    hints = _annotations(cls) if cls else {}
    return json.dumps({k: _blank(v, hints.get(k, Any)) for k, v in example.items()})


def part(kind: str, path: str, **fields: Any) -> dict[str, Any]:
    """The nested object at dotted `path` of `kind`'s example, blanked like
    a template (its own Optional parts null), `fields` set: for a nested
    object the sandbox has something to say about, e.g.
    `part("charge", "outcome", type="authorized", ...)`."""
    obj = json.loads(_part(kind, path))
    obj.update(fields)
    return obj


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
