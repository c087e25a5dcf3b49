"""QuickBooks Invoice and Payment: create, void/delete, and what paying does to the balance.

Outside the US every sales line needs a `TaxCodeRef` (Fault 6000 "Make sure all your
transactions have a VAT/GST rate"), and the tax is computed from the code's sales rates.
`DocNumber` is unique among invoices (Fault 6140).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from accounting_sandbox.errors import QuickBooksFault
from accounting_sandbox.quickbooks import model
from accounting_sandbox.router import Request, Router

router = Router()
BASE = "/quickbooks/v3/company/{realm}"
BANKISH = {"Bank", "Other Current Asset"}


def business(detail: str) -> QuickBooksFault:
    return QuickBooksFault(
        "6000",
        "A business validation error has occurred while processing your request",
        f"Business Validation Error: {detail}",
    )


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if not k.startswith("_")}


def _tax_percent(sb: Any, realm: str, code: dict[str, Any]) -> Decimal:
    total = Decimal(0)
    for detail in (code.get("SalesTaxRateList") or {}).get("TaxRateDetail", []):
        rate = model.get(sb, realm, "TaxRate", detail["TaxRateRef"]["value"])
        total += Decimal(str(rate.get("RateValue", 0))) if rate else Decimal(0)
    return total


def _lines(sb: Any, realm: str, company: dict[str, Any], lines: list[dict]) -> tuple[list, list]:
    out, tax_lines = [], {}
    for n, line in enumerate(lines, start=1):
        if line.get("DetailType") != "SalesItemLineDetail":
            raise business(
                f"Line {n}: only SalesItemLineDetail lines are supported by this sandbox"
            )
        detail = dict(line.get("SalesItemLineDetail") or {})
        if detail.get("ItemRef"):
            model.ref(sb, realm, "Item", detail["ItemRef"], "ItemRef")
        amount = model.money(line.get("Amount", 0))
        if "Qty" in detail and "UnitPrice" in detail:
            expected = model.money(Decimal(str(detail["Qty"])) * Decimal(str(detail["UnitPrice"])))
            if expected != amount:
                raise QuickBooksFault(
                    "6070",
                    "Amount is not equal to UnitPrice * Qty",
                    f"Amount is not equal to UnitPrice * Qty. Supplied value:{amount}",
                )
        if company["Country"] != "US":
            if not detail.get("TaxCodeRef"):
                word = model.TAX_WORD.get(company["Country"], "tax")
                raise business(
                    f"Make sure all your transactions have a {word} rate before you save."
                )
            code = model.ref(sb, realm, "TaxCode", detail["TaxCodeRef"], "TaxCodeRef")
            percent = _tax_percent(sb, realm, code)
            for rate_detail in (code.get("SalesTaxRateList") or {}).get("TaxRateDetail", []):
                key = rate_detail["TaxRateRef"]["value"]
                entry = tax_lines.setdefault(key, [Decimal(0), percent])
                entry[0] += amount
        out.append(
            {**line, "Id": str(n), "LineNum": n, "Amount": amount, "SalesItemLineDetail": detail}
        )
    taxes = [
        {
            "Amount": model.money(net * pct / 100),
            "DetailType": "TaxLineDetail",
            "TaxLineDetail": {
                "TaxRateRef": {"value": key},
                "PercentBased": True,
                "TaxPercent": pct,
                "NetAmountTaxable": net,
            },
        }
        for key, (net, pct) in tax_lines.items()
    ]
    return out, taxes


def invoice_create(sb: Any, realm: str, data: dict[str, Any]) -> dict[str, Any]:
    company = model.company(sb, realm)
    customer = model.ref(sb, realm, "Customer", data.get("CustomerRef"), "CustomerRef")
    if not data.get("Line"):
        raise QuickBooksFault(
            "2020",
            "Required param missing, need to supply the required value for the API",
            "Required parameter Line is missing in the request",
        )
    currency = (data.get("CurrencyRef") or {}).get("value", company["currency"])
    if currency != company["currency"] and currency not in company["currencies"]:
        raise business(f"The currency {currency} is not enabled for this company (Multicurrency).")
    lines, tax_lines = _lines(sb, realm, company, data["Line"])
    number = data.get("DocNumber") or model.next_doc_number(sb, realm)
    for row in sb.store.match(model.Q, realm, "Invoice", "DocNumber", number):
        if row:
            raise QuickBooksFault(
                "6140",
                "Duplicate Document Number Error",
                "Duplicate Document Number Error : You must specify a different "
                f"number. This number has already been used. DocNumber={number} is "
                f"assigned to TxnType=Invoice with TxnId={row['Id']}",
            )
    subtotal = sum((line["Amount"] for line in lines), Decimal(0))
    if tax_lines:
        tax = sum((t["Amount"] for t in tax_lines), Decimal(0))
    else:
        tax = model.money((data.get("TxnTaxDetail") or {}).get("TotalTax", 0))
    day = data.get("TxnDate") or model.today(sb)
    row = {k: v for k, v in data.items() if k not in ("Line", "TxnTaxDetail")}
    row.update(
        DocNumber=number,
        TxnDate=day,
        DueDate=data.get("DueDate", day),
        CurrencyRef={"value": currency},
        CustomerRef={"value": customer["Id"], "name": customer["DisplayName"]},
        Line=[
            *lines,
            {"Amount": subtotal, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}},
        ],
        TxnTaxDetail={"TotalTax": tax, "TaxLine": tax_lines},
        TotalAmt=subtotal + tax,
        Balance=subtotal + tax,
        LinkedTxn=[],
        EmailStatus="NotSet",
        PrintStatus="NotSet",
        ApplyTaxAfterDiscount=False,
    )
    if company["Country"] != "US":
        row["GlobalTaxCalculation"] = data.get("GlobalTaxCalculation", "TaxExcluded")
    return model.insert(sb, realm, "Invoice", row)


def invoice_void(sb: Any, realm: str, data: dict[str, Any]) -> dict[str, Any]:
    row = model.get_or_fault(sb, realm, "Invoice", data.get("Id"))
    model.check_sync_token(row, data, "Invoice")
    if row["LinkedTxn"]:
        raise business("This transaction has payments linked to it; remove them before voiding it.")
    for line in row["Line"]:
        line["Amount"] = Decimal(0)
    row.update(
        TotalAmt=Decimal(0),
        Balance=Decimal(0),
        PrivateNote="Voided",
        TxnTaxDetail={"TotalTax": Decimal(0), "TaxLine": []},
    )
    return model.update(sb, realm, "Invoice", row)


def _deleted(entity: str, row: dict[str, Any]) -> dict[str, Any]:
    return {entity: {"Id": row["Id"], "status": "Deleted", "domain": "QBO"}}


def payment_create(sb: Any, realm: str, data: dict[str, Any]) -> dict[str, Any]:
    company = model.company(sb, realm)
    customer = model.ref(sb, realm, "Customer", data.get("CustomerRef"), "CustomerRef")
    if "TotalAmt" not in data:
        raise QuickBooksFault(
            "2020",
            "Required param missing, need to supply the required value for the API",
            "Required parameter TotalAmt is missing in the request",
        )
    total = model.money(data["TotalAmt"])
    account = None
    if data.get("DepositToAccountRef"):
        account = model.ref(
            sb, realm, "Account", data["DepositToAccountRef"], "DepositToAccountRef"
        )
        if account["AccountType"] not in BANKISH:
            raise business("The deposit account must be a bank or other current asset account.")
    applied, lines = Decimal(0), []
    for line in data.get("Line", []):
        amount = model.money(line.get("Amount", 0))
        for link in line.get("LinkedTxn", []):
            if link.get("TxnType") != "Invoice":
                raise business("A payment line can only link to an Invoice in this sandbox.")
            invoice = model.ref(sb, realm, "Invoice", {"value": link.get("TxnId")}, "LinkedTxn")
            if invoice["CustomerRef"]["value"] != customer["Id"]:
                raise business("The invoice belongs to another customer.")
            if amount > model.money(invoice["Balance"]):
                raise business("The payment amount can't be more than the invoice's open balance.")
        applied += amount
        lines.append({**line, "Amount": amount})
    if applied > total:
        raise business("The amount applied to invoices is more than the payment's total.")
    row = {k: v for k, v in data.items() if k != "Line"}
    row.update(
        TotalAmt=total,
        UnappliedAmt=total - applied,
        Line=lines,
        TxnDate=data.get("TxnDate") or model.today(sb),
        CustomerRef={"value": customer["Id"], "name": customer["DisplayName"]},
        CurrencyRef=data.get("CurrencyRef") or {"value": company["currency"]},
        ProcessPayment=False,
    )
    if account:
        row["DepositToAccountRef"] = {"value": account["Id"], "name": account["Name"]}
    payment = model.insert(sb, realm, "Payment", row)
    _apply(sb, realm, payment, sign=-1)
    return payment


def _apply(sb: Any, realm: str, payment: dict[str, Any], *, sign: int) -> None:
    for line in payment["Line"]:
        for link in line.get("LinkedTxn", []):
            invoice = model.get(sb, realm, "Invoice", link["TxnId"])
            if invoice is None:
                continue
            invoice["Balance"] = model.money(invoice["Balance"]) + sign * model.money(
                line["Amount"]
            )
            others = [t for t in invoice["LinkedTxn"] if t["TxnId"] != payment["Id"]]
            invoice["LinkedTxn"] = others + (
                [{"TxnId": payment["Id"], "TxnType": "Payment"}] if sign < 0 else []
            )
            model.update(sb, realm, "Invoice", invoice)


def payment_delete(sb: Any, realm: str, data: dict[str, Any]) -> dict[str, Any]:
    row = model.get_or_fault(sb, realm, "Payment", data.get("Id"))
    model.check_sync_token(row, data, "Payment")
    _apply(sb, realm, row, sign=1)
    sb.store.delete(model.Q, realm, "Payment", row["Id"])
    return _deleted("Payment", row)


@router.post(f"{BASE}/invoice", kind="qbo_api", body="Invoice")
def invoice_post(req: Request, realm: str) -> dict[str, Any]:
    operation = req.query.get("operation", "")
    if operation == "void":
        return {"Invoice": _public(invoice_void(req.sb, realm, req.params))}
    if operation == "delete":
        row = model.get_or_fault(req.sb, realm, "Invoice", req.params.get("Id"))
        model.check_sync_token(row, req.params, "Invoice")
        if row["LinkedTxn"]:
            raise business(
                "This transaction has payments linked to it; remove them before deleting it."
            )
        req.sb.store.delete(model.Q, realm, "Invoice", row["Id"])
        return _deleted("Invoice", row)
    if req.params.get("Id"):
        raise business("This sandbox does not edit invoices; void it and create another.")
    return {"Invoice": _public(invoice_create(req.sb, realm, req.params))}


@router.post(f"{BASE}/payment", kind="qbo_api", body="Payment")
def payment_post(req: Request, realm: str) -> dict[str, Any]:
    if req.query.get("operation") == "delete":
        return payment_delete(req.sb, realm, req.params)
    if req.params.get("Id"):
        raise business("This sandbox does not edit payments; delete it and record another.")
    return {"Payment": _public(payment_create(req.sb, realm, req.params))}
