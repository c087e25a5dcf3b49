"""QuickBooks names and settings: Customer and Item (create, sparse update, read; names
unique → Fault 6240), and reads of Account, TaxCode, TaxRate, CompanyInfo, Preferences."""

from __future__ import annotations

from typing import Any

from accounting_sandbox.errors import QuickBooksFault
from accounting_sandbox.quickbooks import model
from accounting_sandbox.router import Request, Router

router = Router()
BASE = "/quickbooks/v3/company/{realm}"


def duplicate_name(name: str) -> QuickBooksFault:
    return QuickBooksFault(
        "6240",
        "Duplicate Name Exists Error",
        "The name supplied already exists. : Another customer, vendor or "
        f"employee is already using this name. Please use a different name. ({name})",
    )


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if not k.startswith("_")}


def customer_save(sb: Any, realm: str, data: dict[str, Any]) -> dict[str, Any]:
    existing = None
    if data.get("Id"):
        existing = model.get_or_fault(sb, realm, "Customer", data["Id"])
        model.check_sync_token(existing, data, "Customer")
    base = dict(existing) if existing and data.get("sparse") else {}
    row = {
        **base,
        **{k: v for k, v in data.items() if k not in ("Id", "SyncToken", "sparse", "MetaData")},
    }
    name = (
        row.get("DisplayName")
        or " ".join(p for p in (row.get("GivenName"), row.get("FamilyName")) if p)
        or row.get("CompanyName", "")
    )
    if not name.strip():
        raise QuickBooksFault(
            "6000",
            "A business validation error has occurred while processing your request",
            "Business Validation Error: You must fill out at least one name field: "
            "Title, First, Middle, Last, Suffix, or Display Name.",
        )
    exclude = ("Customer", existing["Id"]) if existing else None
    if model.name_taken(sb, realm, name, exclude=exclude):
        raise duplicate_name(name)
    company = model.company(sb, realm)
    row.update(
        DisplayName=name,
        FullyQualifiedName=name,
        PrintOnCheckName=row.get("PrintOnCheckName", name),
        Active=row.get("Active", True),
        Job=False,
        BillWithParent=False,
        Taxable=row.get("Taxable", company["Country"] == "US"),
        Balance=row.get("Balance", 0),
        BalanceWithJobs=row.get("BalanceWithJobs", 0),
        CurrencyRef=row.get("CurrencyRef") or {"value": company["currency"]},
        PreferredDeliveryMethod=row.get("PreferredDeliveryMethod", "Print"),
    )
    if existing:
        merged = {
            **{k: existing[k] for k in ("Id", "SyncToken", "MetaData", "domain", "sparse")},
            **row,
        }
        return model.update(sb, realm, "Customer", merged)
    return model.insert(sb, realm, "Customer", row)


def item_save(sb: Any, realm: str, data: dict[str, Any]) -> dict[str, Any]:
    name = (data.get("Name") or "").strip()
    if not name:
        raise QuickBooksFault(
            "2020",
            "Required param missing, need to supply the required value for the API",
            "Required parameter Name is missing in the request",
        )
    for row in sb.store.all(model.Q, realm, "Item"):
        if row["Name"].lower() == name.lower() and row["Id"] != str(data.get("Id", "")):
            raise QuickBooksFault(
                "6240", "Duplicate Name Exists Error", f"The name supplied already exists. : {name}"
            )
    item_type = data.get("Type", "Service")
    if item_type in ("Service", "NonInventory"):
        model.ref(sb, realm, "Account", data.get("IncomeAccountRef"), "IncomeAccountRef")
    row = {k: v for k, v in data.items() if k not in ("Id", "SyncToken", "sparse", "MetaData")}
    row.update(Name=name, FullyQualifiedName=name, Active=data.get("Active", True), Type=item_type)
    return model.insert(sb, realm, "Item", row)


@router.post(f"{BASE}/customer", kind="qbo_api", body="Customer")
def customer_post(req: Request, realm: str) -> dict[str, Any]:
    return {"Customer": _public(customer_save(req.sb, realm, req.params))}


@router.post(f"{BASE}/item", kind="qbo_api", body="Item")
def item_post(req: Request, realm: str) -> dict[str, Any]:
    return {"Item": _public(item_save(req.sb, realm, req.params))}


READABLE = {
    "customer": "Customer",
    "item": "Item",
    "account": "Account",
    "taxcode": "TaxCode",
    "taxrate": "TaxRate",
    "invoice": "Invoice",
    "payment": "Payment",
    "vendor": "Vendor",
    "transfer": "Transfer",
    "purchase": "Purchase",
}


@router.get(f"{BASE}/{{entity}}/{{entity_id}}", kind="qbo_api")
def entity_get(req: Request, realm: str, entity: str, entity_id: str) -> dict[str, Any]:
    name = READABLE.get(entity.lower())
    if name is None and entity.lower() == "companyinfo":
        return {"CompanyInfo": _public(model.get_or_fault(req.sb, realm, "CompanyInfo", entity_id))}
    if name is None:
        raise QuickBooksFault("610", "Object Not Found", f"Unsupported entity {entity}", status=404)
    return {name: _public(model.get_or_fault(req.sb, realm, name, entity_id))}


@router.get(f"{BASE}/preferences", kind="qbo_api")
def preferences(req: Request, realm: str) -> dict[str, Any]:
    rows = req.sb.store.all(model.Q, realm, "Preferences")
    return {"Preferences": _public(rows[0])}
