"""Xero's `where` filter, the part of its .NET-like syntax integrations use:

    ContactNumber=="C-42" AND ContactStatus=="ACTIVE"
    Name.ToLower()=="acme ltd"      EmailAddress.Contains("@acme")     Type=="BANK"
    Contact.ContactID==Guid("...")  Date>=DateTime(2026, 01, 31)       IsCustomer==true

Clauses joined by AND / && bind tighter than OR / ||; no parentheses. Anything else is a
`QueryParseException`, as Xero answers.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from accounting_sandbox.errors import XeroError

Predicate = Callable[[dict[str, Any]], bool]
_COMPARE = re.compile(
    r"^(?P<field>[A-Za-z][\w.]*?)(?P<lower>\.ToLower\(\)|\.ToUpper\(\))?\s*"
    r"(?P<op>==|!=|>=|<=|=|>|<)\s*(?P<value>.+)$"
)
_CALL = re.compile(
    r'^(?P<field>[A-Za-z][\w.]*?)\.(?P<fn>Contains|StartsWith|EndsWith)\("(?P<arg>[^"]*)"\)$'
)
_GUID = re.compile(r'^Guid\("(?P<v>[^"]+)"\)$', re.IGNORECASE)
_DATETIME = re.compile(r"^DateTime\((?P<y>\d+),\s*(?P<m>\d+),\s*(?P<d>\d+)\)$")


def parse_error(message: str) -> XeroError:
    return XeroError(400, {"ErrorNumber": 16, "Type": "QueryParseException", "Message": message})


def _split(text: str, words: tuple[str, ...]) -> list[str]:
    parts, current, quoted, i = [], [], False, 0
    while i < len(text):
        ch = text[i]
        if ch == '"':
            quoted = not quoted
        if not quoted:
            for word in words:
                if text.startswith(word, i) and (
                    not word.isalpha()
                    or (
                        text[i - 1 : i].isspace()
                        and text[i + len(word) : i + len(word) + 1].isspace()
                    )
                ):
                    parts.append("".join(current))
                    current, i = [], i + len(word)
                    break
            else:
                current.append(ch)
                i += 1
                continue
            continue
        current.append(ch)
        i += 1
    parts.append("".join(current))
    return [p.strip() for p in parts]


def compile_where(text: str) -> Predicate:
    ors = [[_clause(c) for c in _split(part, ("AND", "&&"))] for part in _split(text, ("OR", "||"))]
    return lambda row: any(all(p(row) for p in ands) for ands in ors)


def _field(row: dict[str, Any], path: str) -> Any:
    value: Any = row
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _literal(text: str) -> Any:
    text = text.strip()
    if text.startswith('"') and text.endswith('"') and len(text) >= 2:
        return text[1:-1]
    if m := _GUID.match(text):
        return m["v"].lower()
    if m := _DATETIME.match(text):
        return dt.date(int(m["y"]), int(m["m"]), int(m["d"])).isoformat()
    if text in ("true", "false"):
        return text == "true"
    if text == "null":
        return None
    try:
        return Decimal(text)
    except ArithmeticError:
        raise parse_error(f"Unable to parse the where clause value: {text}") from None


def _comparable(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("/Date("):
        ms = int(value[6:].split("+")[0].rstrip(")/"))
        return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).date().isoformat()
    if isinstance(value, float | int) and not isinstance(value, bool):
        return Decimal(str(value))
    return value


def _clause(text: str) -> Predicate:
    if m := _CALL.match(text):
        field, fn, arg = m["field"], m["fn"], m["arg"].lower()
        check = {
            "Contains": str.__contains__,
            "StartsWith": str.startswith,
            "EndsWith": str.endswith,
        }[fn]
        return lambda row: check(str(_field(row, field) or "").lower(), arg)
    m = _COMPARE.match(text)
    if not m:
        raise parse_error(f"Unable to parse the where clause: {text}")
    field, op, lower = m["field"], m["op"], m["lower"]
    want = _literal(m["value"])

    def predicate(row: dict[str, Any]) -> bool:
        have = _comparable(_field(row, field))
        target = want
        if isinstance(have, str) and isinstance(target, str):
            if lower or field.endswith("ID"):
                have, target = have.lower(), target.lower()
        if op in ("==", "="):
            return have == target
        if op == "!=":
            return have != target
        if have is None or target is None:
            return False
        try:
            return {
                ">": have > target,
                "<": have < target,
                ">=": have >= target,
                "<=": have <= target,
            }[op]
        except TypeError:
            return False

    return predicate
