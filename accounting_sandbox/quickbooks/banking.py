"""QuickBooks Transfer (money moved between two accounts) and Purchase (an expense paid out of
a bank account, Intuit's "Expense" form), and the account balances they make.

As Intuit documents them: a Transfer needs `FromAccountRef`, `ToAccountRef` (different
asset accounts: Bank or Other Current Asset) and a positive `Amount`; a Purchase needs a
`PaymentType` (Cash, Check or CreditCard), an `AccountRef` that suits it (Cash and Check:
a Bank account; Check only Bank; CreditCard: a Credit Card account) and
`AccountBasedExpenseLineDetail` lines posting to accounts that are not banks."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from accounting_sandbox.errors import QuickBooksFault
from accounting_sandbox.quickbooks import model
from accounting_sandbox.quickbooks.transactions import _deleted, _public, business
from accounting_sandbox.router import Request, Router

router = Router()
BASE = "/quickbooks/v3/company/{realm}"
ASSET = {"Bank", "Other Current Asset"}
PAYS_FROM = {
    "Cash": {"Bank", "Other Current Asset"},
    "Check": {"Bank"},
    "CreditCard": {"Credit Card"},
}


def _required(field: str) -> QuickBooksFault:
    return QuickBooksFault(
        "2020",
        "Required param missing, need to supply the required value for the API",
        f"Required parameter {field} is missing in the request",
    )


def _currency(sb: Any, realm: str, data: dict[str, Any]) -> dict[str, str]:
    company = model.company(sb, realm)
    currency = (data.get("CurrencyRef") or {}).get("value", company["currency"])
    if currency != company["currency"] and currency not in company["currencies"]:
        raise business(f"The currency {currency} is not enabled for this company (Multicurrency).")
    return {"value": currency}


def _named(account: dict[str, Any]) -> dict[str, str]:
    return {"value": account["Id"], "name": account["Name"]}


def transfer_create(sb: Any, realm: str, data: dict[str, Any]) -> dict[str, Any]:
    source = model.ref(sb, realm, "Account", data.get("FromAccountRef"), "FromAccountRef")
    target = model.ref(sb, realm, "Account", data.get("ToAccountRef"), "ToAccountRef")
    if source["Id"] == target["Id"]:
        raise business("You can't transfer money from and to the same account.")
    for account in (source, target):
        if account["AccountType"] not in ASSET:
            raise business(
                f"{account['Name']} can't be used in a transfer: choose a bank or other "
                "current asset account."
            )
    if "Amount" not in data:
        raise _required("Amount")
    amount = model.money(data["Amount"])
    if amount <= 0:
        raise business("The transfer amount must be greater than zero.")
    row = {
        **{k: v for k, v in data.items() if k not in ("FromAccountRef", "ToAccountRef")},
        "FromAccountRef": _named(source),
        "ToAccountRef": _named(target),
        "Amount": amount,
        "TxnDate": data.get("TxnDate") or model.today(sb),
        "CurrencyRef": _currency(sb, realm, data),
    }
    return model.insert(sb, realm, "Transfer", row)


def purchase_create(sb: Any, realm: str, data: dict[str, Any]) -> dict[str, Any]:
    kind = data.get("PaymentType")
    if not kind:
        raise _required("PaymentType")
    if kind not in PAYS_FROM:
        raise business(f"PaymentType {kind} is not one of Cash, Check, CreditCard.")
    account = model.ref(sb, realm, "Account", data.get("AccountRef"), "AccountRef")
    if account["AccountType"] not in PAYS_FROM[kind]:
        raise business(
            f"{account['Name']} can't pay a {kind} expense: choose a "
            f"{' or '.join(sorted(PAYS_FROM[kind]))} account."
        )
    lines, total = [], Decimal(0)
    for n, line in enumerate(data.get("Line") or [], start=1):
        if line.get("DetailType") != "AccountBasedExpenseLineDetail":
            raise business(
                f"Line {n}: only AccountBasedExpenseLineDetail lines are supported by this sandbox"
            )
        detail = dict(line.get("AccountBasedExpenseLineDetail") or {})
        posted = model.ref(sb, realm, "Account", detail.get("AccountRef"), "AccountRef")
        if posted["AccountType"] in ASSET:
            raise business(f"Line {n}: use a transfer to move money to {posted['Name']}.")
        amount = model.money(line.get("Amount", 0))
        total += amount
        detail["AccountRef"] = _named(posted)
        lines.append(
            {
                **line,
                "Id": str(n),
                "LineNum": n,
                "Amount": amount,
                "AccountBasedExpenseLineDetail": detail,
            }
        )
    if not lines:
        raise _required("Line")
    if total < 0:
        raise business("The total of an expense can't be negative.")
    row = {
        **{k: v for k, v in data.items() if k not in ("Line", "AccountRef")},
        "AccountRef": _named(account),
        "Line": lines,
        "TotalAmt": model.money(total),
        "TxnDate": data.get("TxnDate") or model.today(sb),
        "CurrencyRef": _currency(sb, realm, data),
    }
    return model.insert(sb, realm, "Purchase", row)


def balances(sb: Any, realm: str) -> dict[str, Decimal]:
    """Each account's movement by Id: deposits of payments, expenses (the bank account down,
    the expense accounts up) and transfers."""
    out: dict[str, Decimal] = {}

    def add(account_id: str, amount: Decimal) -> None:
        out[account_id] = out.get(account_id, Decimal(0)) + amount

    for payment in sb.store.all(model.Q, realm, "Payment"):
        target = (payment.get("DepositToAccountRef") or {}).get("value")
        if target:
            add(target, model.money(payment["TotalAmt"]))
    for row in sb.store.all(model.Q, realm, "Purchase"):
        add(row["AccountRef"]["value"], -model.money(row["TotalAmt"]))
        for line in row["Line"]:
            add(
                line["AccountBasedExpenseLineDetail"]["AccountRef"]["value"],
                model.money(line["Amount"]),
            )
    for row in sb.store.all(model.Q, realm, "Transfer"):
        add(row["FromAccountRef"]["value"], -model.money(row["Amount"]))
        add(row["ToAccountRef"]["value"], model.money(row["Amount"]))
    return out


def account_balances(sb: Any, realm: str) -> list[dict[str, Any]]:
    moved = balances(sb, realm)
    return [
        {
            "Id": a["Id"],
            "AcctNum": a.get("AcctNum", ""),
            "Name": a["Name"],
            "AccountType": a["AccountType"],
            "Balance": str(model.money(moved.get(a["Id"], Decimal(0)))),
        }
        for a in sb.store.all(model.Q, realm, "Account")
    ]


@router.post(f"{BASE}/transfer", kind="qbo_api", body="Transfer")
def transfer_post(req: Request, realm: str) -> dict[str, Any]:
    if req.query.get("operation") == "delete":
        row = model.get_or_fault(req.sb, realm, "Transfer", req.params.get("Id"))
        model.check_sync_token(row, req.params, "Transfer")
        req.sb.store.delete(model.Q, realm, "Transfer", row["Id"])
        return _deleted("Transfer", row)
    if req.params.get("Id"):
        raise business("This sandbox does not edit transfers; delete it and record another.")
    return {"Transfer": _public(transfer_create(req.sb, realm, req.params))}


@router.post(f"{BASE}/purchase", kind="qbo_api", body="Purchase")
def purchase_post(req: Request, realm: str) -> dict[str, Any]:
    if req.params.get("Id"):
        raise business("This sandbox does not edit expenses; delete it and record another.")
    return {"Purchase": _public(purchase_create(req.sb, realm, req.params))}
