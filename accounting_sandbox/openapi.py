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


# -- operations and their query parameters ----------------------------------------------------
@functools.cache
def _templates(doc_name: str) -> list[tuple[re.Pattern[str], str]]:
    doc = accounting() if doc_name == "accounting" else identity()
    out = []
    for template in doc["paths"]:
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "/?$"
        out.append((re.compile(pattern, re.IGNORECASE), template))
    return out


def operation(doc_name: str, path: str, method: str) -> tuple[dict, dict] | None:
    """(path item, operation) of the OpenAPI file for a path relative to the API base."""
    doc = accounting() if doc_name == "accounting" else identity()
    for regex, template in _templates(doc_name):
        item = doc["paths"][template]
        if regex.match(path) and method.lower() in item:
            return item, item[method.lower()]
    return None


def check_query(doc_name: str, path: str, method: str, query: dict[str, str]) -> list[Problem]:
    """Query parameters the operation does not define, or of the wrong type."""
    found = operation(doc_name, path, method)
    if found is None:
        return [Problem(path, f"{method} {path} is not an operation of Xero's API")]
    doc = accounting() if doc_name == "accounting" else identity()
    item, op = found
    params = [_resolve(doc, p) for p in [*item.get("parameters", []), *op.get("parameters", [])]]
    allowed = {p["name"].lower(): p for p in params if p.get("in") == "query"}
    out: list[Problem] = []
    for name, value in query.items():
        param = allowed.get(name.lower())
        if param is None:
            out.append(Problem(f"?{name}", "not a query parameter of this operation"))
            continue
        schema = param.get("schema", {})
        values = value.split(",") if schema.get("type") == "array" else [value]
        item_schema = schema.get("items", {}) if schema.get("type") == "array" else schema
        for one in values:
            if not _query_value_ok(item_schema, one):
                out.append(
                    Problem(
                        f"?{name}",
                        f"{one!r} is not a {item_schema.get('format') or item_schema.get('type')}",
                    )
                )
    return out


def _query_value_ok(schema: dict[str, Any], value: str) -> bool:
    kind, fmt = schema.get("type"), schema.get("format")
    if kind == "boolean":
        return value.lower() in ("true", "false")
    if kind == "integer":
        return value.strip().lstrip("-").isdigit()
    if fmt == "uuid":
        return bool(_UUID.match(value.strip()))
    return True
