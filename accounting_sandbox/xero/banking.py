"""Xero bank transactions (SPEND / RECEIVE money out of or into a bank account) and bank
transfers (money moved between two bank accounts), and the account balances they make.

As Xero documents them: a bank transaction's `BankAccount` and both sides of a transfer
must be accounts of Type BANK (an account that merely allows payments, e.g. a CURRENT
asset with `EnablePaymentsToAccount`, is refused); a SPEND or RECEIVE needs a `Contact`;
line items post to non-bank accounts; a transfer moves a positive amount between two
different accounts of the same currency. Neither can be edited here (Xero deletes them
in its app)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from accounting_sandbox.ids import new_uuid
from accounting_sandbox.router import Request, Router
from accounting_sandbox.xero import invoices, model, settings
from accounting_sandbox.xero.api import ItemError, X, batch, listing, not_found, public

router = Router()
BASE = "/xero/api.xro/2.0"
READ = (
    "accounting.transactions",
    "accounting.transactions.read",
    "accounting.banktransactions",
    "accounting.banktransactions.read",
)
WRITE = ("accounting.transactions", "accounting.banktransactions")
TYPES = ("SPEND", "RECEIVE")


def _bank(sb: Any, tenant: str, ref: dict[str, Any] | None, what: str) -> dict[str, Any]:
    ref = ref or {}
    account = settings.account_by(
        sb, tenant, code=ref.get("Code", ""), account_id=ref.get("AccountID", "")
    )
    if account is None or not (ref.get("Code") or ref.get("AccountID")):
        raise ItemError(f"{what} must be specified by AccountID or Code")
    if account.get("Status") != "ACTIVE":
        raise ItemError(f"{what} {account.get('Code') or account['AccountID']} is archived")
    if account["Type"] != "BANK":
        raise ItemError(f"{what} must be a bank account (Type BANK)")
    return account


def _ref(account: dict[str, Any]) -> dict[str, Any]:
    return {
        "AccountID": account["AccountID"],
        "Code": account.get("Code", ""),
        "Name": account["Name"],
    }


def _line(sb: Any, tenant: str, line: dict[str, Any]) -> dict[str, Any]:
    account = settings.account_by(
        sb, tenant, code=line.get("AccountCode", ""), account_id=line.get("AccountID", "")
    )
    if account is None or not (line.get("AccountCode") or line.get("AccountID")):
        raise ItemError("Account code must be specified on each line item")
    if account.get("Status") != "ACTIVE":
        raise ItemError(
            f"Account code '{account.get('Code')}' is not a valid code for this document."
        )
    if account["Type"] == "BANK":
        raise ItemError("A bank account cannot be used on a line item; use a bank transfer")
    qty = model.money(line["Quantity"]) if "Quantity" in line else Decimal(1)
    if "UnitAmount" in line:
        amount = model.money(qty * model.money(line["UnitAmount"]))
        if "LineAmount" in line and model.money(line["LineAmount"]) != amount:
            raise ItemError("The line total does not match quantity times unit amount")
    elif "LineAmount" in line:
        amount = model.money(line["LineAmount"])
    else:
        raise ItemError("A line item needs a UnitAmount or a LineAmount")
    return {
        "LineItemID": new_uuid(),
        "Description": line.get("Description", ""),
        "Quantity": qty,
        "UnitAmount": model.money(line.get("UnitAmount", amount)),
        "AccountCode": account.get("Code", ""),
        "AccountID": account["AccountID"],
        "TaxType": line.get("TaxType") or "NONE",
        "TaxAmount": Decimal(0),
        "LineAmount": amount,
    }


def transaction_create(sb: Any, tenant: str, data: dict[str, Any]) -> dict[str, Any]:
    if data.get("BankTransactionID"):
        raise ItemError("This sandbox does not edit bank transactions")
    kind = data.get("Type", "")
    if kind not in TYPES:
        raise ItemError(f"Type {kind} bank transactions are not supported here (SPEND, RECEIVE)")
    bank = _bank(sb, tenant, data.get("BankAccount"), "BankAccount")
    contact = invoices._contact(sb, tenant, data.get("Contact"))
    amount_types = data.get("LineAmountTypes") or "Exclusive"
    if amount_types not in ("Exclusive", "NoTax"):
        raise ItemError("This sandbox records bank transactions without tax (NoTax) or Exclusive")
    lines = [_line(sb, tenant, line) for line in data.get("LineItems") or []]
    if not lines:
        raise ItemError("At least one line item is required")
    total = model.money(sum((line["LineAmount"] for line in lines), start=Decimal(0)))
    if total < 0:
        raise ItemError("The total of a bank transaction cannot be negative")
    currency = data.get("CurrencyCode") or bank.get("CurrencyCode")
    if currency != bank.get("CurrencyCode"):
        raise ItemError("The currency must be the bank account's currency")
    day = model.parse_date(data.get("Date")) or model.today(sb).isoformat()
    row = {
        "BankTransactionID": new_uuid(),
        "Type": kind,
        "Contact": {"ContactID": contact["ContactID"], "Name": contact["Name"]},
        "BankAccount": _ref(bank),
        "LineItems": lines,
        "IsReconciled": bool(data.get("IsReconciled", False)),
        "Date": model.msdate(day),
        "_date": day,
        "Reference": data.get("Reference", ""),
        "CurrencyCode": currency,
        "CurrencyRate": Decimal(1),
        "Status": "AUTHORISED",
        "LineAmountTypes": amount_types,
        "SubTotal": total,
        "TotalTax": Decimal(0),
        "Total": total,
        "UpdatedDateUTC": model.msnow(sb),
        "HasAttachments": False,
    }
    return sb.store.put(X, tenant, "BankTransaction", row["BankTransactionID"], row)


def transfer_create(sb: Any, tenant: str, data: dict[str, Any]) -> dict[str, Any]:
    source = _bank(sb, tenant, data.get("FromBankAccount"), "FromBankAccount")
    target = _bank(sb, tenant, data.get("ToBankAccount"), "ToBankAccount")
    if source["AccountID"] == target["AccountID"]:
        raise ItemError("The From and To bank accounts must be different")
    if source.get("CurrencyCode") != target.get("CurrencyCode"):
        raise ItemError("This sandbox transfers only between accounts of one currency")
    amount = model.money(data.get("Amount", 0))
    if amount <= 0:
        raise ItemError("Amount must be greater than zero")
    day = model.parse_date(data.get("Date")) or model.today(sb).isoformat()
    row = {
        "BankTransferID": new_uuid(),
        "FromBankAccount": _ref(source),
        "ToBankAccount": _ref(target),
        "Amount": amount,
        "Date": model.msdate(day),
        "_date": day,
        "CurrencyRate": Decimal(1),
        "FromBankTransactionID": new_uuid(),
        "ToBankTransactionID": new_uuid(),
        "FromIsReconciled": bool(data.get("FromIsReconciled", False)),
        "ToIsReconciled": bool(data.get("ToIsReconciled", False)),
        "Reference": data.get("Reference", ""),
        "HasAttachments": False,
        "CreatedDateUTC": model.msnow(sb),
        "Status": "AUTHORISED",
    }
    return sb.store.put(X, tenant, "BankTransfer", row["BankTransferID"], row)


def balances(sb: Any, tenant: str) -> dict[str, Decimal]:
    """Each account's movement from what the API recorded, by AccountID: money in and out of
    bank accounts (payments, bank transactions, transfers) and what lines posted to
    others (debits positive)."""
    out: dict[str, Decimal] = {}

    def add(account_id: str, amount: Decimal) -> None:
        out[account_id] = out.get(account_id, Decimal(0)) + amount

    for payment in sb.store.all(X, tenant, "Payment"):
        if payment["Status"] == "AUTHORISED":
            sign = 1 if payment.get("PaymentType") == "ACCRECPAYMENT" else -1
            add(payment["Account"]["AccountID"], sign * model.money(payment["Amount"]))
    for row in sb.store.all(X, tenant, "BankTransaction"):
        if row["Status"] != "AUTHORISED":
            continue
        sign = -1 if row["Type"] == "SPEND" else 1
        add(row["BankAccount"]["AccountID"], sign * model.money(row["Total"]))
        for line in row["LineItems"]:
            add(line["AccountID"], -sign * model.money(line["LineAmount"]))
    for row in sb.store.all(X, tenant, "BankTransfer"):
        if row["Status"] == "AUTHORISED":
            add(row["FromBankAccount"]["AccountID"], -model.money(row["Amount"]))
            add(row["ToBankAccount"]["AccountID"], model.money(row["Amount"]))
    return out


def account_balances(sb: Any, tenant: str) -> list[dict[str, Any]]:
    moved = balances(sb, tenant)
    return [
        {
            "AccountID": a["AccountID"],
            "Code": a.get("Code", ""),
            "Name": a["Name"],
            "Type": a["Type"],
            "Balance": str(model.money(moved.get(a["AccountID"], Decimal(0)))),
        }
        for a in sb.store.all(X, tenant, "Account")
    ]


@router.get(f"{BASE}/BankTransactions", kind="xero_api", scopes=READ, answer="BankTransactions")
def transactions_list(req: Request) -> dict[str, Any]:
    return listing(req, "BankTransaction", "BankTransactions")


@router.get(
    f"{BASE}/BankTransactions/{{txn}}", kind="xero_api", scopes=READ, answer="BankTransactions"
)
def transaction_get(req: Request, txn: str) -> dict[str, Any]:
    row = req.sb.store.get(X, req.tenant, "BankTransaction", txn.lower())
    if row is None:
        raise not_found()
    return {"BankTransactions": [public(row)]}


@router.put(
    f"{BASE}/BankTransactions",
    kind="xero_api",
    scopes=WRITE,
    body="BankTransactions",
    answer="BankTransactions",
)
def transactions_create(req: Request) -> dict[str, Any]:
    return batch(
        req,
        "BankTransactions",
        list(req.params.get("BankTransactions") or []),
        lambda item: transaction_create(req.sb, req.tenant, item),
    )


@router.get(f"{BASE}/BankTransfers", kind="xero_api", scopes=READ, answer="BankTransfers")
def transfers_list(req: Request) -> dict[str, Any]:
    return listing(req, "BankTransfer", "BankTransfers")


@router.get(
    f"{BASE}/BankTransfers/{{transfer}}", kind="xero_api", scopes=READ, answer="BankTransfers"
)
def transfer_get(req: Request, transfer: str) -> dict[str, Any]:
    row = req.sb.store.get(X, req.tenant, "BankTransfer", transfer.lower())
    if row is None:
        raise not_found()
    return {"BankTransfers": [public(row)]}


@router.put(
    f"{BASE}/BankTransfers",
    kind="xero_api",
    scopes=WRITE,
    body="BankTransfers",
    answer="BankTransfers",
)
def transfers_create(req: Request) -> dict[str, Any]:
    items = list(req.params.get("BankTransfers") or [])
    # Xero's bank transfers take no summarizeErrors: one bad element refuses the request.
    return batch(
        req, "BankTransfers", items, lambda item: transfer_create(req.sb, req.tenant, item)
    )
