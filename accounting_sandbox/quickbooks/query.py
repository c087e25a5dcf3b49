"""QuickBooks' query language, the part integrations use:

    select * from Customer where DisplayName = 'Acme Ltd' STARTPOSITION 1 MAXRESULTS 100
    select count(*) from Account where Active = true
    select * from Invoice where DocNumber in ('1001', '1002') orderby Id desc

Conditions joined by AND: =, <, >, <=, >=, LIKE ('%x%'), IN (...). String comparison is
case-insensitive. Paging: STARTPOSITION (from 1), MAXRESULTS (default 100, at most 1000).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from accounting_sandbox.errors import QuickBooksFault
from accounting_sandbox.quickbooks import model
from accounting_sandbox.router import Request, Router

router = Router()
BASE = "/quickbooks/v3/company/{realm}"
DEFAULT_MAX, MAX_MAX = 100, 1000
ENTITIES = (
    "Customer",
    "Invoice",
    "Payment",
    "Item",
    "Account",
    "TaxCode",
    "TaxRate",
    "CompanyInfo",
    "Preferences",
    "Vendor",
    "Employee",
)
_QUERY = re.compile(
    r"^\s*select\s+(?P<fields>.+?)\s+from\s+(?P<entity>\w+)"
    r"(?:\s+where\s+(?P<where>.+?))?"
    r"(?:\s+order\s*by\s+(?P<order>[\w.]+)(?:\s+(?P<dir>asc|desc))?)?"
    r"(?:\s+startposition\s+(?P<start>\d+))?(?:\s+maxresults\s+(?P<max>\d+))?\s*;?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_COND = re.compile(
    r"^\s*(?P<field>[\w.]+)\s*(?P<op><=|>=|!=|=|<|>|\blike\b|\bin\b)\s*(?P<value>.+?)\s*$",
    re.IGNORECASE,
)
_AND = re.compile(r"\s+and\s+(?=(?:[^']*'[^']*')*[^']*$)", re.IGNORECASE)


def parse_error(detail: str) -> QuickBooksFault:
    return QuickBooksFault("4000", "Error parsing query", f"QueryParserError: {detail}")


def _value(text: str) -> Any:
    text = text.strip()
    if text.startswith("(") and text.endswith(")"):
        return [_value(part) for part in re.findall(r"'(?:[^'\\]|\\.)*'|[^,\s]+", text[1:-1])]
    if text.startswith("'") and text.endswith("'"):
        return text[1:-1].replace("\\'", "'")
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    try:
        return Decimal(text)
    except ArithmeticError:
        raise parse_error(f'Encountered "{text}"') from None


def _field(row: dict[str, Any], path: str) -> Any:
    value: Any = row
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if isinstance(value, dict):  # a ...Ref or an address compares by its value
        value = value.get("value", value.get("Address"))
    return value


def _norm(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return (
                Decimal(value)
                if value.strip().lstrip("-").replace(".", "", 1).isdigit()
                else value.lower()
            )
        except ArithmeticError:
            return value.lower()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(str(value))
    return value


def _condition(text: str):
    m = _COND.match(text)
    if not m:
        raise parse_error(f'Encountered "{text.strip()}"')
    field, op, want = m["field"], m["op"].lower(), _value(m["value"])

    def test(row: dict[str, Any]) -> bool:
        have = _norm(_field(row, field))
        if op == "like":
            pattern = "^" + re.escape(str(want).lower()).replace("%", ".*") + "$"
            return isinstance(have, str) and re.match(pattern, have) is not None
        if op == "in":
            return have in [_norm(w) for w in (want if isinstance(want, list) else [want])]
        target = _norm(want)
        if op == "=":
            return have == target
        if op == "!=":
            return have != target
        try:
            return {
                "<": have < target,
                ">": have > target,
                "<=": have <= target,
                ">=": have >= target,
            }[op]
        except TypeError:
            return False

    return test


def run(sb: Any, realm: str, text: str) -> dict[str, Any]:
    m = _QUERY.match(text or "")
    if not m:
        raise parse_error(f'Encountered "{(text or "").strip()[:40]}"')
    entity = next((e for e in ENTITIES if e.lower() == m["entity"].lower()), None)
    if entity is None:
        raise parse_error(f"Invalid entity {m['entity']}")
    start = int(m["start"] or 1)
    limit = int(m["max"] or DEFAULT_MAX)
    if limit > MAX_MAX:
        raise QuickBooksFault(
            "4001",
            "Invalid query",
            f"QueryValidationError: value {limit} for MAXRESULTS is too large. "
            f"Max allowed value is {MAX_MAX}",
        )
    rows = sb.store.all(model.Q, realm, entity)
    for clause in _AND.split(m["where"]) if m["where"] else []:
        test = _condition(clause)
        rows = [r for r in rows if test(r)]
    if m["order"]:
        rows.sort(
            key=lambda r: (_norm(_field(r, m["order"])) is None, str(_norm(_field(r, m["order"])))),
            reverse=(m["dir"] or "").lower() == "desc",
        )
    if m["fields"].strip().lower().replace(" ", "") == "count(*)":
        return {"QueryResponse": {"totalCount": len(rows)}}
    page = rows[start - 1 : start - 1 + limit]
    if not page:
        return {"QueryResponse": {}}
    public = [{k: v for k, v in r.items() if not k.startswith("_")} for r in page]
    return {"QueryResponse": {entity: public, "startPosition": start, "maxResults": len(page)}}


@router.get(f"{BASE}/query", kind="qbo_api")
def query_get(req: Request, realm: str) -> dict[str, Any]:
    return run(req.sb, realm, req.query.get("query", ""))


@router.post(f"{BASE}/query", kind="qbo_api")
def query_post(req: Request, realm: str) -> dict[str, Any]:
    return run(req.sb, realm, req.body.decode("utf-8", "replace"))
