"""Xero Payments: record against an AUTHORISED invoice (amount at most what is due, into a
BANK account or one that allows payments), list, get, and delete (payments cannot be
edited)."""

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
    "accounting.payments",
    "accounting.payments.read",
)
WRITE = ("accounting.transactions", "accounting.payments")


def create(sb: Any, tenant: str, data: dict[str, Any]) -> dict[str, Any]:
    if data.get("PaymentID"):
        raise ItemError("Payments cannot be edited; delete it and record a new one")
    invoice = invoices.find(sb, tenant, data.get("Invoice") or {})
    if invoice is None:
        raise ItemError(
            "You must specify either an Invoice, Credit Note, Prepayment or Overpayment"
        )
    if invoice["Status"] != "AUTHORISED":
        raise ItemError("Payments can only be made against Authorised documents")
    ref = data.get("Account") or {}
    account = settings.account_by(
        sb, tenant, code=ref.get("Code", ""), account_id=ref.get("AccountID", "")
    )
    if account is None:
        raise ItemError("Account code or ID must be specified")
    if account["Type"] != "BANK" and not account.get("EnablePaymentsToAccount"):
        raise ItemError("Account type is invalid for making a payment to/from")
    amount = model.money(data.get("Amount", 0))
    if amount <= 0:
        raise ItemError("Payment amount must be greater than zero")
    if amount > model.money(invoice["AmountDue"]):
        raise ItemError("Payment amount exceeds the amount outstanding on this document")
    day = model.parse_date(data.get("Date")) or model.today(sb).isoformat()
    payment = {
        "PaymentID": new_uuid(),
        "Date": model.msdate(day),
        "_date": day,
        "Amount": amount,
        "BankAmount": amount,
        "CurrencyRate": Decimal(1),
        "Reference": data.get("Reference", ""),
        "IsReconciled": bool(data.get("IsReconciled", False)),
        "Status": "AUTHORISED",
        "PaymentType": "ACCRECPAYMENT" if invoice["Type"] == "ACCREC" else "ACCPAYPAYMENT",
        "UpdatedDateUTC": model.msnow(sb),
        "HasAccount": True,
        "HasValidationErrors": False,
        "Account": {"AccountID": account["AccountID"], "Code": account.get("Code", "")},
        "Invoice": _invoice_ref(invoice),
    }
    sb.store.put(X, tenant, "Payment", payment["PaymentID"], payment)
    invoice["Payments"].append(_payment_ref(payment))
    _settle(sb, tenant, invoice, day)
    payment["Invoice"] = _invoice_ref(invoice)
    return sb.store.put(X, tenant, "Payment", payment["PaymentID"], payment)


def _invoice_ref(invoice: dict[str, Any]) -> dict[str, Any]:
    return {
        k: invoice[k]
        for k in (
            "InvoiceID",
            "InvoiceNumber",
            "Type",
            "Status",
            "Contact",
            "CurrencyCode",
            "AmountDue",
            "AmountPaid",
            "Total",
        )
        if k in invoice
    }


def _payment_ref(payment: dict[str, Any]) -> dict[str, Any]:
    return {
        k: payment[k]
        for k in (
            "PaymentID",
            "Date",
            "Amount",
            "Reference",
            "CurrencyRate",
            "HasAccount",
            "HasValidationErrors",
        )
    }


def _settle(sb: Any, tenant: str, invoice: dict[str, Any], day: str | None) -> None:
    invoices._totals(invoice)
    if model.money(invoice["AmountDue"]) == 0 and invoice["Status"] == "AUTHORISED":
        invoice["Status"] = "PAID"
        invoice["FullyPaidOnDate"] = model.msdate(day or model.today(sb).isoformat())
    elif model.money(invoice["AmountDue"]) > 0 and invoice["Status"] == "PAID":
        invoice["Status"] = "AUTHORISED"
        invoice.pop("FullyPaidOnDate", None)
    invoice["UpdatedDateUTC"] = model.msnow(sb)
    sb.store.put(X, tenant, "Invoice", invoice["InvoiceID"], invoice)


def delete(sb: Any, tenant: str, payment: dict[str, Any]) -> dict[str, Any]:
    if payment["Status"] == "DELETED":
        raise ItemError("This payment has already been deleted")
    payment.update(Status="DELETED", UpdatedDateUTC=model.msnow(sb))
    invoice = invoices.find(sb, tenant, {"InvoiceID": payment["Invoice"]["InvoiceID"]})
    invoice["Payments"] = [p for p in invoice["Payments"] if p["PaymentID"] != payment["PaymentID"]]
    _settle(sb, tenant, invoice, None)
    payment["Invoice"] = _invoice_ref(invoice)
    return sb.store.put(X, tenant, "Payment", payment["PaymentID"], payment)


@router.get(f"{BASE}/Payments", kind="xero_api", scopes=READ, answer="Payments")
def payments_list(req: Request) -> dict[str, Any]:
    return listing(req, "Payment", "Payments")


@router.get(f"{BASE}/Payments/{{payment}}", kind="xero_api", scopes=READ, answer="Payments")
def payment_get(req: Request, payment: str) -> dict[str, Any]:
    row = req.sb.store.get(X, req.tenant, "Payment", payment.lower())
    if row is None:
        raise not_found()
    return {"Payments": [public(row)]}


@router.put(f"{BASE}/Payments", kind="xero_api", scopes=WRITE, body="Payments", answer="Payments")
def payments_create(req: Request) -> dict[str, Any]:
    return batch(
        req,
        "Payments",
        list(req.params.get("Payments") or []),
        lambda item: create(req.sb, req.tenant, item),
    )


@router.post(f"{BASE}/Payments", kind="xero_api", scopes=WRITE, body="Payment", answer="Payments")
def payment_create_one(req: Request) -> dict[str, Any]:
    return batch(req, "Payments", [req.params], lambda item: create(req.sb, req.tenant, item))


@router.post(
    f"{BASE}/Payments/{{payment}}",
    kind="xero_api",
    scopes=WRITE,
    body="PaymentDelete",
    answer="Payments",
)
def payment_delete(req: Request, payment: str) -> dict[str, Any]:
    row = req.sb.store.get(X, req.tenant, "Payment", payment.lower())
    if row is None:
        raise not_found()
    if req.params.get("Status") != "DELETED":
        from accounting_sandbox.errors import xero_validation

        raise xero_validation([{"ValidationErrors": [{"Message": "Payments can only be deleted"}]}])
    return batch(req, "Payments", [{}], lambda _item: delete(req.sb, req.tenant, row))
