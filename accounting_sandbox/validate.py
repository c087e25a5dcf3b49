"""Check any request meant for Xero or QuickBooks Online against the vendors' definitions,
wherever it was sent (the sandbox, a respx fake, a recording):

    from accounting_sandbox.validate import request_problems
    assert request_problems("PUT", "https://api.xero.com/api.xro/2.0/Invoices", body) == []

Xero: the operation must exist in the OpenAPI file, its query parameters be defined there
and the JSON body match the operation's request schema. QuickBooks: the entity in the path
must be an XSD element and the body match it; query parameters are the v3 API's few.
Token, revocation and consent URLs are not checked (form bodies, no schema).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from accounting_sandbox import openapi, xsd
from accounting_sandbox.xsd import Problem

_XERO_API = re.compile(r"/api\.xro/2\.0(?P<rest>/.*)$", re.IGNORECASE)
_XERO_CONNECTIONS = re.compile(r"(?P<rest>/connections(/[^/]+)?)/?$", re.IGNORECASE)
_QBO = re.compile(r"/v3/company/[^/]+/(?P<entity>[A-Za-z]+)(/[^/]+)?/?$")
QBO_QUERY = {"minorversion", "requestid", "operation", "query", "include"}


def request_problems(method: str, url: str, body: Any = None) -> list[Problem]:
    """`body`: the parsed JSON, or raw bytes/str (parsed here, decimals kept)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    if isinstance(body, bytes | str):
        body = json.loads(body, parse_float=Decimal) if body else None
    if m := _XERO_API.search(parts.path):
        return _xero("accounting", method, m["rest"], query, body)
    if m := _QBO.search(parts.path):
        return _quickbooks(method, m["entity"], query, body)
    if m := _XERO_CONNECTIONS.search(parts.path):
        return _xero("identity", method, m["rest"], query, body)
    return []


def _xero(doc_name: str, method: str, path: str, query: dict[str, str], body: Any) -> list[Problem]:
    problems = openapi.check_query(doc_name, path, method, query)
    found = openapi.operation(doc_name, path, method)
    if found is None or method.upper() not in ("POST", "PUT"):
        return problems
    schema = (
        found[1].get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    )
    if schema is None:
        return problems
    doc = openapi.accounting() if doc_name == "accounting" else openapi.identity()
    return problems + openapi.check_schema(doc, schema, body, "body", request=True)


def _quickbooks(method: str, entity: str, query: dict[str, str], body: Any) -> list[Problem]:
    problems = [
        Problem(f"?{k}", "not a query parameter of the v3 API") for k in query if k not in QBO_QUERY
    ]
    if method.upper() != "POST" or entity.lower() == "query":
        return problems
    elements = {name.lower(): name for name in xsd.schema().elements}
    name = elements.get(entity.lower())
    if name is None:
        return [*problems, Problem(entity, "not an entity of the QuickBooks schemas")]
    return problems + xsd.check_entity(name, body, request=True)
