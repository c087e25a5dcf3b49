"""QuickBooks Online state: companies (realms) and their entities, ids per company, the
entity envelope (`Id`, `SyncToken`, `MetaData`, `domain`, `sparse`) and money."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from accounting_sandbox.errors import QuickBooksFault

if TYPE_CHECKING:
    from accounting_sandbox.sandbox import Sandbox

Q = "quickbooks"
CENT = Decimal("0.01")
TAX_WORD = {"GB": "VAT", "CA": "GST/HST", "AU": "GST"}


def money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(CENT, ROUND_HALF_UP)


def now_iso(sb: Sandbox) -> str:
    return dt.datetime.fromtimestamp(sb.clock.now(), dt.UTC).strftime("%Y-%m-%dT%H:%M:%S-00:00")


def today(sb: Sandbox) -> str:
    return dt.datetime.fromtimestamp(sb.clock.now(), dt.UTC).date().isoformat()


def company_create(
    sb: Sandbox,
    *,
    realm: str,
    name: str,
    country: str = "US",
    currency: str = "USD",
    currencies: list[str] | None = None,
) -> dict[str, Any]:
    company = {
        "realm": realm,
        "CompanyName": name,
        "Country": country,
        "currency": currency,
        "currencies": currencies or [],
        "next_id": 1,
        "next_doc": 1001,
    }
    sb.store.put(Q, "", "company", realm, company)
    return company


def companies(sb: Sandbox) -> list[dict[str, Any]]:
    return sb.store.all(Q, "", "company")


def company(sb: Sandbox, realm: str) -> dict[str, Any] | None:
    return sb.store.get(Q, "", "company", realm)


def next_id(sb: Sandbox, realm: str) -> str:
    c = company(sb, realm)
    value = c["next_id"]
    c["next_id"] = value + 1
    sb.store.put(Q, "", "company", realm, c)
    return str(value)


def next_doc_number(sb: Sandbox, realm: str) -> str:
    c = company(sb, realm)
    value = c["next_doc"]
    while sb.store.match(Q, realm, "Invoice", "DocNumber", str(value)):
        value += 1
    c["next_doc"] = value + 1
    sb.store.put(Q, "", "company", realm, c)
    return str(value)


def name_key(name: str) -> str:
    return " ".join(name.split()).lower()


def insert(sb: Sandbox, realm: str, entity: str, data: dict[str, Any]) -> dict[str, Any]:
    stamp = now_iso(sb)
    if "DisplayName" in data:  # indexed: DisplayName uniqueness
        data = {**data, "_name_key": name_key(data["DisplayName"])}
    row = {
        "Id": next_id(sb, realm),
        "SyncToken": "0",
        "domain": "QBO",
        "sparse": False,
        "MetaData": {"CreateTime": stamp, "LastUpdatedTime": stamp},
        **data,
    }
    return sb.store.put(Q, realm, entity, row["Id"], row)


def update(sb: Sandbox, realm: str, entity: str, row: dict[str, Any]) -> dict[str, Any]:
    row["SyncToken"] = str(int(row["SyncToken"]) + 1)
    if "DisplayName" in row:
        row["_name_key"] = name_key(row["DisplayName"])
    row["MetaData"] = {**row["MetaData"], "LastUpdatedTime": now_iso(sb)}
    return sb.store.put(Q, realm, entity, row["Id"], row)


def get(sb: Sandbox, realm: str, entity: str, entity_id: Any) -> dict[str, Any] | None:
    return sb.store.get(Q, realm, entity, str(entity_id))


def get_or_fault(sb: Sandbox, realm: str, entity: str, entity_id: Any) -> dict[str, Any]:
    row = get(sb, realm, entity, entity_id)
    if row is None:
        raise QuickBooksFault(
            "610",
            "Object Not Found",
            f"Object Not Found : Something you're trying to use has been made "
            f"inactive. Check the fields with accounts, customers, items, vendors "
            f"or employees. ({entity} {entity_id})",
        )
    return row


def ref(sb: Sandbox, realm: str, entity: str, value: dict[str, Any] | None, field: str) -> dict:
    """The entity a `...Ref` points at, or Fault 2500."""
    if not value or not value.get("value"):
        raise QuickBooksFault(
            "2020",
            "Required param missing, need to supply the required value for the API",
            f"Required parameter {field} is missing in the request",
        )
    row = get(sb, realm, entity, value["value"])
    if row is None or row.get("Active") is False:
        raise QuickBooksFault(
            "2500",
            "Invalid Reference Id",
            f"Invalid Reference Id : {entity} assigned to this transaction has "
            f"been deleted. Before you can modify this transaction, you must "
            f"restore {entity} (Id={value['value']})",
            element=field,
        )
    return row


def check_sync_token(row: dict[str, Any], data: dict[str, Any], entity: str) -> None:
    if str(data.get("SyncToken")) != row["SyncToken"]:
        raise QuickBooksFault(
            "5010",
            "Stale Object Error",
            f"Stale Object Error : You and another user were working on the same "
            f"thing. Please try again. {entity} Id={row['Id']} SyncToken={row['SyncToken']}",
        )


def name_taken(
    sb: Sandbox, realm: str, name: str, *, exclude: tuple[str, str] | None = None
) -> bool:
    """DisplayName is unique across customers, vendors and employees."""
    for entity in ("Customer", "Vendor", "Employee"):
        for row in sb.store.match(Q, realm, entity, "_name_key", name_key(name)):
            if exclude != (entity, row["Id"]):
                return True
    return False
