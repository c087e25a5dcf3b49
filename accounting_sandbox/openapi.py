"""Xero's OpenAPI definitions (`schemas/xero/*.yaml`) and a check of JSON against them.

Stricter than OpenAPI demands, on purpose: a property the schema does not define is a
problem (a typo Xero would silently drop), and so is a `readOnly` property in a request.
Dates: Xero reads "YYYY-MM-DD" (or "YYYY-MM-DDTHH:MM:SS") and writes `/Date(ms+0000)/`
for `x-is-msdate` fields.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from accounting_sandbox.xsd import Problem

HERE = Path(__file__).parent / "schemas" / "xero"
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_MSDATE = re.compile(r"^/Date\(-?\d+([+-]\d{4})?\)/$")
_REQUEST_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2})?$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")


def _load(name: str) -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(HERE / name, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=loader)  # noqa: S506 - a safe loader


@functools.cache
def accounting() -> dict[str, Any]:
    return _load("xero_accounting.yaml")


@functools.cache
def identity() -> dict[str, Any]:
    return _load("xero-identity.yaml")


def check(doc: dict[str, Any], name: str, value: Any, *, request: bool) -> list[Problem]:
    """Problems of `value` as the component schema `name` of `doc`."""
    out: list[Problem] = []
    _check(doc, {"$ref": f"#/components/schemas/{name}"}, value, name, out, request=request)
    return out


def check_schema(
    doc: dict[str, Any], schema: dict[str, Any], value: Any, path: str, *, request: bool
) -> list[Problem]:
    out: list[Problem] = []
    _check(doc, schema, value, path, out, request=request)
    return out


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    seen = 0
    while "$ref" in schema and seen < 20:
        node: Any = doc
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema, seen = node, seen + 1
    return schema


def _check(
    doc: dict[str, Any],
    schema: dict[str, Any],
    value: Any,
    path: str,
    out: list[Problem],
    *,
    request: bool,
) -> None:
    flags = schema  # x-is-msdate etc. sit beside a $ref sometimes
    schema = _resolve(doc, schema)
    kind = schema.get("type") or ("object" if "properties" in schema else None)
    if kind == "object":
        _check_object(doc, schema, value, path, out, request=request)
    elif kind == "array":
        if not isinstance(value, list):
            out.append(Problem(path, f"expected an array, got {type(value).__name__}"))
            return
        for i, item in enumerate(value):
            _check(doc, schema.get("items", {}), item, f"{path}[{i}]", out, request=request)
    elif kind is not None:
        _check_scalar(kind, {**schema, **flags}, value, path, out, request=request)


def _check_object(
    doc: dict[str, Any],
    schema: dict[str, Any],
    value: Any,
    path: str,
    out: list[Problem],
    *,
    request: bool,
) -> None:
    if not isinstance(value, dict):
        out.append(Problem(path, f"expected an object, got {type(value).__name__}"))
        return
    props = schema.get("properties", {})
    for key, item in value.items():
        where = f"{path}.{key}"
        if key not in props:
            out.append(Problem(where, "not a property of this schema"))
            continue
        prop = props[key]
        if request and (prop.get("readOnly") or _resolve(doc, prop).get("readOnly")):
            out.append(Problem(where, "read-only: not accepted in a request"))
            continue
        _check(doc, prop, item, where, out, request=request)
    if request:
        for name in schema.get("required", []):
            if name not in value:
                out.append(Problem(f"{path}.{name}", "required"))


def _check_scalar(
    kind: str, schema: dict[str, Any], value: Any, path: str, out: list[Problem], *, request: bool
) -> None:
    if kind == "number":
        ok = isinstance(value, int | float | Decimal) and not isinstance(value, bool)
    elif kind == "integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind == "boolean":
        ok = isinstance(value, bool)
    else:
        ok = isinstance(value, str)
    if not ok:
        out.append(Problem(path, f"expected {kind}, got {value!r}"))
        return
    enum = schema.get("enum")
    if enum is not None and value not in enum:
        out.append(Problem(path, f"{value!r} is not one of {', '.join(map(str, enum[:12]))}"))
    if kind != "string":
        return
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        out.append(Problem(path, f"longer than {schema['maxLength']} characters"))
    fmt = schema.get("format")
    if fmt == "uuid" and not _UUID.match(value):
        out.append(Problem(path, f"{value!r} is not a UUID"))
    elif fmt == "date-time" and not _DATETIME.match(value):
        out.append(Problem(path, f"{value!r} is not a date-time"))
    if schema.get("x-is-msdate") or schema.get("x-is-msdate-time"):
        good = _MSDATE.match(value) or (request and _REQUEST_DATE.match(value))
        if not good:
            out.append(Problem(path, f"{value!r} is not a date Xero reads or writes"))
