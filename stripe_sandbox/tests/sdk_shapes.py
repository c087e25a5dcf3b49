"""Check an answer against the `stripe` SDK's own resource classes and
Stripe's example object (fixtures3.json), the two references for a shape.

The SDK's rules come from its annotations, read here, never listed by hand:

- a field typed non-Optional is present and not null, and of its type;
- a nested object (a `StripeObject` subclass of the resource) is checked the
  same way, so an absent nested object must be `null`, not a shell of nulls
  (the shell's required fields would be null);
- an expandable field holds an id, or (expanded) a whole object of its own
  class, never a dict without `object`/`id`;
- a list object holds objects, each checked against its own class;
- a field neither the SDK nor the example knows is an invention, and so is
  a value outside the literals the SDK lists for a field (a dispute's
  `payment_method_details.type` of `us_bank_account`);

The example object adds two: every field it has at a place the SDK types
(top level and nested objects) is present (but for lists the SDK types
Optional, which Stripe sends only when expanded: `charge.refunds` since API
2022-11-15), and no value of it reaches an
answer at the same place: an example's ids, URLs, e-mail addresses, phrases
and numbers (1555417355) are its own, while `"usd"`, `"visa"` or `2` are
what any answer may say.
"""

from __future__ import annotations

import functools
import re
import types
import typing
from typing import Any

from stripe import StripeObject
from stripe._list_object import ListObject
from stripe._object_classes import get_object_class
from stripe._stripe_object import UntypedStripeObject

from stripe_sandbox.objects import fixtures

# What makes an example's value its own rather than what any answer says.
_DISTINCTIVE = re.compile(r"^[a-z]+_(test_)?(?=[A-Za-z]*\d)[A-Za-z0-9]{8,}|://|@|(\S+\s){3}")


def sdk_class(object_name: str) -> type[StripeObject]:
    cls = get_object_class("V1", object_name)
    assert cls is not StripeObject, f"the SDK has no class for {object_name!r}"
    return cls


def example(object_name: str) -> dict[str, Any] | None:
    return fixtures().get(object_name)


@functools.cache
def fields(cls: type) -> dict[str, Any]:
    """Field name -> annotation, ClassVars left out, the class's own fields."""
    hints = {}
    for klass in reversed(cls.__mro__):
        if klass in (object, dict, StripeObject) or not issubclass(klass, StripeObject):
            continue
        hints.update(vars(klass).get("__annotations__", {}))
    return {k: v for k, v in hints.items() if typing.get_origin(v) is not typing.ClassVar}


def _args(tp: Any) -> tuple[Any, ...]:
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return typing.get_args(tp)
    return (tp,)


def optional(tp: Any) -> bool:
    return tp is Any or type(None) in _args(tp)


def literals(tp: Any) -> set[Any]:
    found: set[Any] = set()
    for arg in _args(tp):
        if typing.get_origin(arg) is typing.Literal:
            found.update(typing.get_args(arg))
        elif typing.get_origin(arg) in (list, typing.List):  # noqa: UP006
            for inner in typing.get_args(arg):
                found |= literals(inner)
    return found


def _nested(tp: Any) -> type | None:
    for arg in _args(tp):
        if isinstance(arg, type) and issubclass(arg, StripeObject):
            if issubclass(arg, ListObject | UntypedStripeObject):
                return None
            return arg
    return None


def _list_item(tp: Any) -> type | None:
    for arg in _args(tp):
        if typing.get_origin(arg) in (list, typing.List):  # noqa: UP006
            return _nested(typing.get_args(arg)[0])
    return None


def _expandable(tp: Any) -> bool:
    return any(isinstance(a, typing.ForwardRef) for a in _args(tp))


def _is_list_object(tp: Any) -> bool:
    return any(typing.get_origin(a) is ListObject or a is ListObject for a in _args(tp))


_SCALARS = {int: int, str: str, bool: bool, float: (int, float)}


def _scalar_ok(tp: Any, value: Any) -> bool:
    wanted = [a for a in _args(tp) if a in _SCALARS]
    if not wanted or any(typing.get_origin(a) is typing.Literal for a in _args(tp)):
        return True
    if isinstance(value, bool) and bool not in wanted:
        return False
    return any(isinstance(value, _SCALARS[a]) for a in wanted)


def problems(obj: Any) -> list[str]:
    """Every way `obj` (a dict or StripeObject) departs from the SDK class of
    its `object` and from Stripe's example; [] when it is Stripe's shape."""
    data = obj.to_dict() if hasattr(obj, "to_dict") else obj
    found: list[str] = []
    _check_object(data, str(data.get("object")), found)
    return found


def _check_object(data: Any, path: str, found: list[str]) -> None:
    if not isinstance(data, dict) or not data.get("object"):
        found.append(f"{path}: not a Stripe object: {data!r}"[:200])
        return
    if data.get("deleted") is True:
        _check_deleted(data, path, found)
        return
    if data["object"] == "list":
        if not isinstance(data.get("url"), str) or not isinstance(data.get("has_more"), bool):
            found.append(f"{path}: a list without its url or has_more")
        for i, item in enumerate(data.get("data") or []):
            _check_object(item, f"{path}.data[{i}]", found)
        return
    if data["object"] == "event":
        _check_fields(data, sdk_class("event"), example("event"), path, found)
        inner = (data.get("data") or {}).get("object")
        if isinstance(inner, dict):
            _check_object(inner, f"{path}.data.object", found)
        return
    _check_fields(data, sdk_class(data["object"]), example(data["object"]), path, found)


def _check_deleted(data: dict[str, Any], path: str, found: list[str]) -> None:
    want = example(f"deleted_{data['object']}") or {"id": 1, "object": 1, "deleted": 1}
    for key in set(want) - set(data):
        found.append(f"{path}.{key}: missing (deleted {data['object']})")
    if not data.get("id"):
        found.append(f"{path}.id: null")


def _check_fields(data: dict[str, Any], cls: type, ex: Any, path: str, found: list[str]) -> None:
    hints = fields(cls)
    ex = ex if isinstance(ex, dict) else {}
    for key in set(ex) - set(data):
        if key == ex.get("type") and data.get("type") != key:
            continue  # the example's per-type hash (`card`), not this type's
        if _is_list_object(hints.get(key)) and optional(hints[key]):
            continue  # a list Stripe sends only when expanded (charge.refunds)
        found.append(f"{path}.{key}: missing (in Stripe's example)")
    for key in set(data) - set(hints) - set(ex):
        found.append(f"{path}.{key}: unknown to the SDK and to Stripe's example")
    for key, tp in hints.items():
        where = f"{path}.{key}"
        if key not in data:
            if not optional(tp):
                found.append(f"{where}: missing (required by the SDK)")
            continue
        _check_value(data[key], tp, ex.get(key), where, found)


def _check_value(value: Any, tp: Any, ex: Any, where: str, found: list[str]) -> None:
    if value is None:
        if not optional(tp):
            found.append(f"{where}: null (required by the SDK)")
        return
    nested, item = _nested(tp), _list_item(tp)
    if isinstance(value, dict) and nested is not None:
        _check_fields(value, nested, ex, where, found)
    elif isinstance(value, dict) and (_is_list_object(tp) or _expandable(tp)):
        _check_object(value, where, found)
    elif isinstance(value, list) and item is not None:
        sample = ex[0] if isinstance(ex, list) and ex else None
        for i, element in enumerate(value):
            _check_fields(element, item, sample, f"{where}[{i}]", found)
    elif isinstance(value, dict):
        if tp is not Any and not _map_type(tp):
            found.append(f"{where}: an object where the SDK has {tp!r}"[:200])
    elif not isinstance(value, dict | list):
        if not _scalar_ok(tp, value):
            found.append(f"{where}: {value!r} is not {tp!r}"[:200])
        elif isinstance(value, str) and literals(tp) and value not in literals(tp):
            found.append(f"{where}: {value!r} is none of the SDK's values for it")
        if _leaked(value, ex, tp):
            found.append(f"{where}: {value!r} copied from Stripe's example")


def _map_type(tp: Any) -> bool:
    for arg in _args(tp):
        origin = typing.get_origin(arg) or arg
        if origin in (dict, typing.Dict) or (  # noqa: UP006
            isinstance(origin, type) and issubclass(origin, UntypedStripeObject)
        ):
            return True
    return False


def _leaked(value: Any, ex: Any, tp: Any) -> bool:
    if isinstance(value, bool) or value != ex or value in literals(tp):
        return False
    if isinstance(value, int | float):
        return abs(value) >= 10_000
    return isinstance(value, str) and bool(_DISTINCTIVE.search(value))
