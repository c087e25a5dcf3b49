"""Xero's organisation settings Firmpay reads: Organisation, Accounts, TaxRates."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from accounting_sandbox.ids import new_uuid
from accounting_sandbox.router import Request, Router
from accounting_sandbox.xero import model
from accounting_sandbox.xero.api import X, listing, public

router = Router()
BASE = "/xero/api.xro/2.0"
READ = ("accounting.settings", "accounting.settings.read")
CLASSES = {
    "BANK": "ASSET",
    "CURRENT": "ASSET",
    "REVENUE": "REVENUE",
    "SALES": "REVENUE",
    "OTHERINCOME": "REVENUE",
    "EXPENSE": "EXPENSE",
    "OVERHEADS": "EXPENSE",
    "CURRLIAB": "LIABILITY",
    "LIABILITY": "LIABILITY",
    "EQUITY": "EQUITY",
}


def account_create(
    sb: Any,
    tenant: str,
    *,
    code: str,
    name: str,
    type: str,
    tax_type: str = "NONE",
    payments: bool = False,
    status: str = "ACTIVE",
    **extra: Any,
) -> dict[str, Any]:
    account = {
        "AccountID": new_uuid(),
        "Code": code,
        "Name": name,
        "Type": type,
        "Status": status,
        "TaxType": tax_type,
        "Class": CLASSES.get(type, "ASSET"),
        "EnablePaymentsToAccount": payments,
        "ShowInExpenseClaims": False,
        "HasAttachments": False,
        "UpdatedDateUTC": model.msnow(sb),
        **extra,
    }
    if type == "BANK":
        account.update(BankAccountType="BANK", CurrencyCode=model.org(sb, tenant)["BaseCurrency"])
    return sb.store.put(X, tenant, "Account", account["AccountID"], account)


def account_by(sb: Any, tenant: str, *, code: str = "", account_id: str = "") -> dict | None:
    if account_id:
        return sb.store.get(X, tenant, "Account", account_id.lower())
    for row in sb.store.all(X, tenant, "Account"):
        if row.get("Code", "").lower() == code.lower():
            return row
    return None


def tax_rate_create(
    sb: Any, tenant: str, *, tax_type: str, name: str, rate: str, report: str = "OUTPUT"
) -> dict[str, Any]:
    value = Decimal(rate)
    row = {
        "Name": name,
        "TaxType": tax_type,
        "Status": "ACTIVE",
        "ReportTaxType": report,
        "TaxComponents": [
            {
                "Name": name.split(" (")[0],
                "Rate": value,
                "IsCompound": False,
                "IsNonRecoverable": False,
            }
        ],
        "CanApplyToAssets": True,
        "CanApplyToEquity": True,
        "CanApplyToExpenses": False,
        "CanApplyToLiabilities": True,
        "CanApplyToRevenue": True,
        "DisplayTaxRate": value,
        "EffectiveRate": value,
    }
    return sb.store.put(X, tenant, "TaxRate", tax_type, row)


def tax_rate(sb: Any, tenant: str, tax_type: str) -> Decimal | None:
    row = sb.store.get(X, tenant, "TaxRate", tax_type)
    if row is None or row["Status"] != "ACTIVE":
        return None
    return Decimal(str(row["EffectiveRate"]))


@router.get(f"{BASE}/Organisation", kind="xero_api", scopes=READ, answer="Organisations")
def organisation(req: Request) -> dict[str, Any]:
    return {"Organisations": [public(model.org(req.sb, req.tenant))]}


@router.get(f"{BASE}/Accounts", kind="xero_api", scopes=READ, answer="Accounts")
def accounts_list(req: Request) -> dict[str, Any]:
    answer = listing(req, "Account", "Accounts")
    answer.pop("pagination", None)  # Accounts are not paged
    return answer


@router.get(f"{BASE}/Accounts/{{account}}", kind="xero_api", scopes=READ, answer="Accounts")
def account_get(req: Request, account: str) -> dict[str, Any]:
    from accounting_sandbox.xero.api import not_found

    row = account_by(req.sb, req.tenant, account_id=account)
    if row is None:
        raise not_found()
    return {"Accounts": [public(row)]}


@router.get(f"{BASE}/TaxRates", kind="xero_api", scopes=READ, answer="TaxRates")
def tax_rates_list(req: Request) -> dict[str, Any]:
    answer = listing(req, "TaxRate", "TaxRates")
    answer.pop("pagination", None)
    return answer
