"""Check request params against the SDK's own TypedDicts in `stripe.params`.

Form values arrive as strings; the walk also coerces them to the declared
scalar types (int, bool, float) and turns indexed dicts into lists, so
handlers see Python values. Errors carry Stripe's codes and the bracketed
param path (`capabilities[card_paymentz]`).
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Mapping
from typing import Any

from stripe._request_options import RequestOptions

from stripe_sandbox.errors import StripeError
from stripe_sandbox.forms import index_dict_to_list, is_index_dict

# RequestOptions keys are SDK options sent as headers, never as body params.
_OPTION_KEYS = frozenset(RequestOptions.__annotations__)
_LOCALNS = {"StripeContext": object, "Mapping": Mapping}


class _Mismatch(Exception):
    """A value does not fit one arm of a union; carries the best error."""

    def __init__(self, error: StripeError, depth: int) -> None:
        self.error = error
        self.depth = depth


def is_typeddict(tp: Any) -> bool:
    return isinstance(tp, type) and hasattr(tp, "__required_keys__")


@functools.cache
def fields_of(td: type) -> tuple[dict[str, Any], frozenset[str]]:
    hints = typing.get_type_hints(td, localns=_LOCALNS)
    fields = {k: v for k, v in hints.items() if k not in _OPTION_KEYS}
    return fields, frozenset(td.__required_keys__) - _OPTION_KEYS


def validate(params: dict[str, Any], td: type) -> dict[str, Any]:
    """Validated, coerced params; raises StripeError (400) on the first problem."""
    try:
        return _typeddict(params, td, "", 0)
    except _Mismatch as mismatch:
        raise mismatch.error from None


def _path(prefix: str, key: str) -> str:
    return f"{prefix}[{key}]" if prefix else key


def _fail(message: str, code: str, param: str, depth: int) -> _Mismatch:
    return _Mismatch(StripeError(message, code=code, param=param or None), depth)


def _typeddict(value: Any, td: type, path: str, depth: int) -> dict[str, Any]:
    if (
        not isinstance(value, dict)
        or is_index_dict(value)
        and not fields_of(td)[0].keys() & value.keys()
    ):
        raise _fail(
            f"Invalid object: {path or 'params'} must be a hash",
            "parameter_invalid_object",
            path,
            depth,
        )
    fields, required = fields_of(td)
    for key in value:
        if key not in fields:
            param = _path(path, key)
            raise _fail(
                f"Received unknown parameter: {param}", "parameter_unknown", param, depth + 1
            )
    for key in sorted(required - value.keys()):
        param = _path(path, key)
        raise _fail(f"Missing required param: {param}.", "parameter_missing", param, depth + 1)
    return {
        key: _check(sub, fields[key], _path(path, key), depth + 1) for key, sub in value.items()
    }


def _check(value: Any, tp: Any, path: str, depth: int) -> Any:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return _union(value, typing.get_args(tp), path, depth)
    if origin is typing.Literal:
        return _literal(value, typing.get_args(tp), path, depth)
    if origin in (list, typing.List):  # noqa: UP006 - the SDK's annotations use typing.List
        return _list(value, typing.get_args(tp)[0], path, depth)
    if origin in (dict, typing.Dict, Mapping):  # noqa: UP006
        return _dict(value, typing.get_args(tp)[1], path, depth)
    if is_typeddict(tp):
        return _typeddict(value, tp, path, depth)
    return _scalar(value, tp, path, depth)


def _union(value: Any, arms: tuple[Any, ...], path: str, depth: int) -> Any:
    best: _Mismatch | None = None
    for arm in arms:
        try:
            return _check(value, arm, path, depth)
        except _Mismatch as mismatch:
            if best is None or mismatch.depth > best.depth:
                best = mismatch
    assert best is not None
    raise best


def _literal(value: Any, allowed: tuple[Any, ...], path: str, depth: int) -> Any:
    if isinstance(value, str) and value in allowed:
        return value
    if isinstance(value, str) and (value in ("true", "false")) and (value == "true") in allowed:
        return value == "true"
    choices = ", ".join(f"`{a}`" for a in allowed if a != "")
    raise _fail(
        f"Invalid {path}: must be one of {choices}",
        "parameter_invalid_string" if allowed else "parameter_invalid",
        path,
        depth,
    )


def _list(value: Any, item: Any, path: str, depth: int) -> list[Any]:
    if is_index_dict(value):
        value = index_dict_to_list(value)
    if value == "":
        return []
    if not isinstance(value, list):
        raise _fail(f"Invalid array: {path}", "parameter_invalid_array", path, depth)
    return [_check(v, item, f"{path}[{i}]", depth + 1) for i, v in enumerate(value)]


def _dict(value: Any, item: Any, path: str, depth: int) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(f"Invalid object: {path}", "parameter_invalid_object", path, depth)
    return {k: _check(v, item, _path(path, k), depth + 1) for k, v in value.items()}


def _scalar(value: Any, tp: Any, path: str, depth: int) -> Any:
    if tp is Any or tp is object or typing.get_origin(tp) is not None:
        return value  # UntypedStripeObject[...] and friends: free-form
    if isinstance(value, dict | list):
        raise _fail(
            f"Invalid {getattr(tp, '__name__', 'value')}: {path} must be a scalar",
            "parameter_invalid_" + getattr(tp, "__name__", "string"),
            path,
            depth,
        )
    if tp is str:
        return value
    if tp is bool:
        if value in ("true", "false"):
            return value == "true"
        raise _fail(f"Invalid boolean: {value}", "parameter_invalid_boolean", path, depth)
    if tp is int:
        try:
            return int(value)
        except ValueError:
            raise _fail(
                f"Invalid integer: {value}", "parameter_invalid_integer", path, depth
            ) from None
    if tp is float:
        try:
            return float(value)
        except ValueError:
            raise _fail(
                f"Invalid decimal: {value}", "parameter_invalid_decimal", path, depth
            ) from None
    if tp is type(None):
        raise _fail(f"Invalid {path}", "parameter_invalid", path, depth)
    return value
