"""Xero Invoices: list, get, create in batches, update (approve, void, delete).

An ACCREC `InvoiceNumber` is unique in the organisation ("Invoice # must be unique."); a
missing one takes the organisation's own next `INV-0001`-style number. Lines without
`TaxType` take their account's default tax rate.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from accounting_sandbox.ids import new_uuid
from accounting_sandbox.router import Request, Router
from accounting_sandbox.xero import contacts, model, settings
from accounting_sandbox.xero.api import ItemError, X, batch, listing, not_found, public

router = Router()
BASE = "/xero/api.xro/2.0"
READ = (
    "accounting.transactions",
    "accounting.transactions.read",
    "accounting.invoices",
    "accounting.invoices.read",
)
WRITE = ("accounting.transactions", "accounting.invoices")
EDITABLE = ("DRAFT", "SUBMITTED", "AUTHORISED")


def find(sb: Any, tenant: str, ref: dict[str, Any]) -> dict[str, Any] | None:
    if ref.get("InvoiceID"):
        return sb.store.get(X, tenant, "Invoice", ref["InvoiceID"].lower())
    if ref.get("InvoiceNumber"):
        rows = sb.store.match(X, tenant, "Invoice", "InvoiceNumber", ref["InvoiceNumber"])
        return rows[0] if rows else None
    return None


def _next_number(sb: Any, tenant: str) -> str:
    org = model.org(sb, tenant)
    n = org["_next_invoice"]
    while sb.store.match(X, tenant, "Invoice", "InvoiceNumber", f"INV-{n:04d}"):
        n += 1
    org["_next_invoice"] = n + 1
    sb.store.put(X, "", "org", tenant, org)
    return f"INV-{n:04d}"


def _number(sb: Any, tenant: str, invoice: dict[str, Any]) -> None:
    number = (invoice.get("InvoiceNumber") or "").strip()
    if invoice["Type"] != "ACCREC":
        return
    if not number:
        invoice["InvoiceNumber"] = _next_number(sb, tenant)
        return
    for row in sb.store.match(X, tenant, "Invoice", "InvoiceNumber", number):
        if (
            row["InvoiceID"] != invoice["InvoiceID"]
            and row["Type"] == "ACCREC"
            and row.get("Status") != "DELETED"
        ):
            raise ItemError("Invoice # must be unique.")


def _contact(sb: Any, tenant: str, ref: dict[str, Any] | None) -> dict[str, Any]:
    if not ref:
        raise ItemError("A Contact must be specified for this type of transaction")
    found = contacts.find(sb, tenant, ref)
    if found is None and ref.get("ContactID"):
        raise ItemError(f"The contact with ID {ref['ContactID']} could not be found")
    if found is None and ref.get("Name"):
        found = contacts.save(sb, tenant, {"Name": ref["Name"]})
    if found is None:
        raise ItemError(
            "The Contact must contain at least 1 of the following elements to "
            "identify the contact: Name, ContactID, ContactNumber"
        )
    if found.get("ContactStatus") != "ACTIVE":
        raise ItemError("The contact is archived and cannot be used on a new transaction")
    return found


def _line(sb: Any, tenant: str, line: dict[str, Any], amount_types: str) -> dict[str, Any]:
    qty = model.money(line.get("Quantity", 1)) if "Quantity" in line else Decimal(1)
    unit = Decimal(str(line.get("UnitAmount", 0)))
    expected = model.money(qty * unit)
    if "LineAmount" in line and model.money(line["LineAmount"]) != expected:
        raise ItemError(
            f"The line total {model.money(line['LineAmount'])} does not match the "
            f"expected line total {expected}"
        )
    account = None
    if line.get("AccountCode"):
        account = settings.account_by(sb, tenant, code=line["AccountCode"])
        if account is None or account.get("Status") != "ACTIVE":
            raise ItemError(
                f"Account code '{line['AccountCode']}' is not a valid code for this document."
            )
    tax_type = line.get("TaxType") or (account or {}).get("TaxType") or "NONE"
    rate = settings.tax_rate(sb, tenant, tax_type)
    if rate is None:
        raise ItemError(
            f"The TaxType code '{tax_type}' does not exist or cannot be used for "
            "this type of transaction."
        )
    if amount_types == "NoTax":
        tax = Decimal(0)
    elif "TaxAmount" in line:
        tax = model.money(line["TaxAmount"])
    elif amount_types == "Inclusive":
        tax = model.money(expected - expected / (1 + rate / 100))
    else:
        tax = model.money(expected * rate / 100)
    out = {k: v for k, v in line.items() if k not in ("LineAmount", "TaxAmount", "TaxType")}
    out.update(
        LineItemID=line.get("LineItemID") or new_uuid(),
        Quantity=qty,
        UnitAmount=unit,
        LineAmount=expected,
        TaxType=tax_type,
        TaxAmount=tax,
        Tracking=line.get("Tracking", []),
    )
    return out


def _totals(invoice: dict[str, Any]) -> None:
    lines = invoice["LineItems"]
    sub = sum((model.money(line["LineAmount"]) for line in lines), Decimal(0))
    tax = sum((model.money(line["TaxAmount"]) for line in lines), Decimal(0))
    if invoice["LineAmountTypes"] == "Inclusive":
        sub -= tax
    paid = sum((model.money(p["Amount"]) for p in invoice.get("Payments", [])), Decimal(0))
    total = sub + tax
    invoice.update(
        SubTotal=sub,
        TotalTax=tax,
        Total=total,
        AmountPaid=paid,
        AmountDue=Decimal(0) if invoice["Status"] == "VOIDED" else total - paid,
        AmountCredited=Decimal(0),
    )


def save(sb: Any, tenant: str, data: dict[str, Any], *, invoice_id: str | None = None) -> dict:
    wanted_id = (invoice_id or data.get("InvoiceID") or "").lower()
    existing = find(sb, tenant, {"InvoiceID": wanted_id}) if wanted_id else None
    if wanted_id and existing is None:
        raise ItemError(f"Invoice with ID {wanted_id} could not be found")
    if existing:
        return _update(sb, tenant, existing, data)
    if not data.get("Type"):
        raise ItemError("Invoice Type must be specified")
    org = model.org(sb, tenant)
    invoice = {
        "InvoiceID": new_uuid(),
        "Type": data["Type"],
        "Status": data.get("Status", "DRAFT"),
        "LineAmountTypes": data.get("LineAmountTypes", "Exclusive"),
        "CurrencyCode": data.get("CurrencyCode", org["BaseCurrency"]),
        "CurrencyRate": Decimal(1),
        "Reference": data.get("Reference", ""),
        "Payments": [],
        "Prepayments": [],
        "Overpayments": [],
        "CreditNotes": [],
        "HasAttachments": False,
        "IsDiscounted": False,
        "SentToContact": False,
        "HasErrors": False,
    }
    if invoice["Status"] not in EDITABLE:
        raise ItemError(f"Invoice cannot be created with status {invoice['Status']}")
    if invoice["CurrencyCode"] not in (org["BaseCurrency"], *org.get("_currencies", [])):
        raise ItemError(f"Organisation is not subscribed to currency {invoice['CurrencyCode']}")
    invoice["InvoiceNumber"] = data.get("InvoiceNumber", "")
    _number(sb, tenant, invoice)
    return _fill(sb, tenant, invoice, data)


def _fill(sb: Any, tenant: str, invoice: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    contact = _contact(sb, tenant, data.get("Contact") or invoice.get("Contact"))
    invoice["Contact"] = {"ContactID": contact["ContactID"], "Name": contact["Name"]}
    day = model.parse_date(data.get("Date")) or invoice.get("_date") or model.today(sb).isoformat()
    due = model.parse_date(data.get("DueDate")) or invoice.get("_due")
    if invoice["Status"] in ("SUBMITTED", "AUTHORISED") and invoice["Type"] == "ACCREC" and not due:
        raise ItemError("Due Date is mandatory for an approved invoice")
    invoice.update(_date=day, Date=model.msdate(day))
    if due:
        invoice.update(_due=due, DueDate=model.msdate(due))
    lines = data.get("LineItems", invoice.get("LineItems", []))
    if invoice["Status"] in ("SUBMITTED", "AUTHORISED") and not lines:
        raise ItemError("At least one line item is required to approve an invoice")
    invoice["LineItems"] = [_line(sb, tenant, line, invoice["LineAmountTypes"]) for line in lines]
    for field in ("Reference", "Url", "BrandingThemeID", "ExpectedPaymentDate"):
        if field in data:
            invoice[field] = data[field]
    _totals(invoice)
    invoice["UpdatedDateUTC"] = model.msnow(sb)
    if invoice["Type"] == "ACCREC" and not contact.get("IsCustomer"):
        sb.store.put(X, tenant, "Contact", contact["ContactID"], {**contact, "IsCustomer": True})
    return sb.store.put(X, tenant, "Invoice", invoice["InvoiceID"], invoice)


def _update(sb: Any, tenant: str, invoice: dict[str, Any], data: dict[str, Any]) -> dict:
    status = data.get("Status", invoice["Status"])
    if status == "VOIDED":
        if invoice["Status"] not in ("AUTHORISED", "SUBMITTED", "VOIDED"):
            raise ItemError("Invoice not of valid status for modification")
        if model.money(invoice["AmountPaid"]) > 0:
            raise ItemError("Payment(s) have been applied to this invoice so it cannot be voided.")
    elif status == "DELETED" and invoice["Status"] not in ("DRAFT", "SUBMITTED", "DELETED"):
        raise ItemError("Invoice not of valid status for modification")
    elif invoice["Status"] in ("PAID", "VOIDED", "DELETED"):
        raise ItemError("Invoice not of valid status for modification")
    if "InvoiceNumber" in data and data["InvoiceNumber"] != invoice.get("InvoiceNumber"):
        invoice["InvoiceNumber"] = data["InvoiceNumber"]
        _number(sb, tenant, invoice)
    invoice["Status"] = status
    if status in ("VOIDED", "DELETED"):
        _totals(invoice)
        invoice["UpdatedDateUTC"] = model.msnow(sb)
        return sb.store.put(X, tenant, "Invoice", invoice["InvoiceID"], invoice)
    return _fill(sb, tenant, invoice, data)


# -- routes -------------------------------------------------------------------------------
@router.get(f"{BASE}/Invoices", kind="xero_api", scopes=READ, answer="Invoices")
def invoices_list(req: Request) -> dict[str, Any]:
    def keep(row: dict[str, Any]) -> bool:
        q = req.query
        if q.get("InvoiceNumbers") and row.get("InvoiceNumber", "").lower() not in {
            n.strip().lower() for n in q["InvoiceNumbers"].split(",")
        }:
            return False
        if q.get("ContactIDs") and row["Contact"]["ContactID"] not in {
            n.strip().lower() for n in q["ContactIDs"].split(",")
        }:
            return False
        return not q.get("Statuses") or row["Status"] in q["Statuses"].split(",")

    return listing(req, "Invoice", "Invoices", id_field="InvoiceID", extra=keep)


@router.get(f"{BASE}/Invoices/{{invoice}}", kind="xero_api", scopes=READ, answer="Invoices")
def invoice_get(req: Request, invoice: str) -> dict[str, Any]:
    row = find(req.sb, req.tenant, {"InvoiceID": invoice}) or find(
        req.sb, req.tenant, {"InvoiceNumber": invoice}
    )
    if row is None:
        raise not_found()
    return {"Invoices": [public(row)]}


def _create_only(req: Request, item: dict[str, Any]) -> dict[str, Any]:
    if item.get("InvoiceID"):
        raise ItemError(
            "An invoice that already exists cannot be created again (use POST to update)"
        )
    return save(req.sb, req.tenant, item)


@router.put(f"{BASE}/Invoices", kind="xero_api", scopes=WRITE, body="Invoices", answer="Invoices")
def invoices_create(req: Request) -> dict[str, Any]:
    return batch(
        req,
        "Invoices",
        list(req.params.get("Invoices") or []),
        lambda item: _create_only(req, item),
        error_flag="HasErrors",
        id_fields=("InvoiceID",),
    )


@router.post(f"{BASE}/Invoices", kind="xero_api", scopes=WRITE, body="Invoices", answer="Invoices")
def invoices_save(req: Request) -> dict[str, Any]:
    return batch(
        req,
        "Invoices",
        list(req.params.get("Invoices") or []),
        lambda item: save(req.sb, req.tenant, item),
        error_flag="HasErrors",
        id_fields=("InvoiceID",),
    )


@router.post(
    f"{BASE}/Invoices/{{invoice}}",
    kind="xero_api",
    scopes=WRITE,
    body="Invoices",
    answer="Invoices",
)
def invoice_update(req: Request, invoice: str) -> dict[str, Any]:
    if find(req.sb, req.tenant, {"InvoiceID": invoice}) is None:
        raise not_found()
    return batch(
        req,
        "Invoices",
        list(req.params.get("Invoices") or [])[:1],
        lambda item: save(req.sb, req.tenant, item, invoice_id=invoice),
        error_flag="HasErrors",
        id_fields=("InvoiceID",),
    )
