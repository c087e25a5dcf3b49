"""Control API under `/_sandbox/`: JSON in and out, no credentials (see README)."""

from __future__ import annotations

from typing import Any

from accounting_sandbox.errors import ControlError
from accounting_sandbox.quickbooks import entities as qbo_entities
from accounting_sandbox.quickbooks import model as qbo
from accounting_sandbox.quickbooks import transactions as qbo_tx
from accounting_sandbox.router import Request, Router
from accounting_sandbox.xero import contacts, invoices, model, payments, settings
from accounting_sandbox.xero.api import ItemError, public

router = Router()
UNITS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}


@router.post("/_sandbox/reset", kind="control")
def reset(req: Request) -> dict[str, Any]:
    req.sb.reset()
    return {"reset": True}


@router.get("/_sandbox/clock", kind="control")
def clock(req: Request) -> dict[str, Any]:
    return {"now": req.sb.clock.now(), "offset": req.sb.clock.offset}


@router.post("/_sandbox/clock/advance", kind="control")
def clock_advance(req: Request) -> dict[str, Any]:
    seconds = sum(float(req.params.get(unit, 0)) * factor for unit, factor in UNITS.items())
    if seconds < 0:
        raise ControlError("the sandbox clock only moves forward")
    return {"now": req.sb.advance(seconds), "offset": req.sb.clock.offset}


@router.get("/_sandbox/config", kind="control")
def config_get(req: Request) -> dict[str, Any]:
    return req.sb.config.knobs()


@router.post("/_sandbox/config", kind="control")
def config_set(req: Request) -> dict[str, Any]:
    knobs = req.sb.config.knobs()
    for name, value in req.params.items():
        if name not in knobs:
            raise ControlError(f"unknown setting {name}; settable: {', '.join(sorted(knobs))}")
        if name == "xero_app_created":
            import datetime as dt

            try:
                dt.date.fromisoformat(value)
            except (TypeError, ValueError):
                raise ControlError("xero_app_created is a date: YYYY-MM-DD") from None
        if name == "redirect_uris":
            value = tuple(value)
        setattr(req.sb.config, name, value)
    return req.sb.config.knobs()


@router.get("/_sandbox/faults", kind="control")
def faults_get(req: Request) -> dict[str, Any]:
    return {"faults": req.sb.faults.describe()}


@router.post("/_sandbox/faults", kind="control")
def faults_add(req: Request) -> dict[str, Any]:
    try:
        req.sb.faults.add(req.params)
    except (TypeError, ValueError) as exc:
        raise ControlError(str(exc)) from None
    return {"faults": req.sb.faults.describe()}


@router.delete("/_sandbox/faults", kind="control")
def faults_clear(req: Request) -> dict[str, Any]:
    req.sb.faults.clear()
    return {"faults": []}


@router.get("/_sandbox/violations", kind="control")
def violations(req: Request) -> dict[str, Any]:
    return {"violations": list(req.sb.violations)}


@router.delete("/_sandbox/violations", kind="control")
def violations_clear(req: Request) -> dict[str, Any]:
    req.sb.violations.clear()
    return {"violations": []}


# -- Xero ledgers ---------------------------------------------------------------------------
@router.get("/_sandbox/xero/organisations", kind="control")
def xero_orgs(req: Request) -> dict[str, Any]:
    return {"organisations": [{"tenantId": o["_tenant"], **public(o)} for o in model.orgs(req.sb)]}


@router.post("/_sandbox/xero/organisations", kind="control")
def xero_org_create(req: Request) -> dict[str, Any]:
    p = req.params
    if not p.get("name"):
        raise ControlError("name is required")
    org = model.org_create(
        req.sb,
        name=p["name"],
        country=p.get("country", "GB"),
        currency=p.get("currency", "GBP"),
        tenant_id=p.get("tenant_id"),
        _currencies=p.get("currencies", []),
    )
    from accounting_sandbox.seed import XERO_TAX

    for tax_type, label, rate, report in XERO_TAX.get(org["CountryCode"], XERO_TAX["US"]):
        settings.tax_rate_create(
            req.sb, org["_tenant"], tax_type=tax_type, name=label, rate=rate, report=report
        )
    settings.account_create(
        req.sb, org["_tenant"], code="090", name="Business Bank Account", type="BANK"
    )
    settings.account_create(
        req.sb,
        org["_tenant"],
        code="200",
        name="Sales",
        type="REVENUE",
        tax_type=XERO_TAX.get(org["CountryCode"], XERO_TAX["US"])[0][0],
    )
    return {"tenantId": org["_tenant"], **public(org)}


@router.get("/_sandbox/xero/connections", kind="control")
def xero_connections(req: Request) -> dict[str, Any]:
    return {"connections": req.sb.store.all("xero", "", "connection")}


def _xero_org_or_404(req: Request, tenant: str) -> None:
    if model.org(req.sb, tenant) is None:
        raise ControlError(f"no Xero organisation {tenant}", status=404)


@router.post("/_sandbox/xero/organisations/{tenant}/seed", kind="control")
def xero_seed(req: Request, tenant: str) -> dict[str, Any]:
    """Existing books: {"accounts": [{code, name, type, tax_type, payments}], "contacts":
    [Contact], "invoices": [Invoice], "payments": [Payment]} in Xero's own shapes."""
    _xero_org_or_404(req, tenant)
    sb, out = req.sb, {"accounts": [], "contacts": [], "invoices": [], "payments": []}
    try:
        for a in req.params.get("accounts", []):
            out["accounts"].append(public(settings.account_create(sb, tenant, **a)))
        for c in req.params.get("contacts", []):
            out["contacts"].append(public(contacts.save(sb, tenant, c)))
        for i in req.params.get("invoices", []):
            out["invoices"].append(public(invoices.save(sb, tenant, {"Type": "ACCREC", **i})))
        for p in req.params.get("payments", []):
            out["payments"].append(public(payments.create(sb, tenant, p)))
    except ItemError as exc:
        raise ControlError(str(exc)) from None
    except TypeError as exc:
        raise ControlError(f"bad seed entry: {exc}") from None
    return out


@router.get("/_sandbox/xero/organisations/{tenant}/ledger", kind="control")
def xero_ledger(req: Request, tenant: str) -> dict[str, Any]:
    _xero_org_or_404(req, tenant)
    return {
        key: [public(r) for r in req.sb.store.all("xero", tenant, kind)]
        for key, kind in (
            ("contacts", "Contact"),
            ("invoices", "Invoice"),
            ("payments", "Payment"),
            ("accounts", "Account"),
            ("tax_rates", "TaxRate"),
            ("bank_transactions", "BankTransaction"),
            ("bank_transfers", "BankTransfer"),
        )
    }


@router.get("/_sandbox/xero/organisations/{tenant}/balances", kind="control")
def xero_balances(req: Request, tenant: str) -> dict[str, Any]:
    """Every account's movement from payments, bank transactions and transfers."""
    from accounting_sandbox.xero import banking

    _xero_org_or_404(req, tenant)
    return {"accounts": banking.account_balances(req.sb, tenant)}


# -- QuickBooks ledgers ---------------------------------------------------------------------
@router.get("/_sandbox/quickbooks/companies", kind="control")
def qbo_companies(req: Request) -> dict[str, Any]:
    return {"companies": qbo.companies(req.sb)}


@router.post("/_sandbox/quickbooks/companies", kind="control")
def qbo_company_create(req: Request) -> dict[str, Any]:
    from accounting_sandbox.seed import _qbo_company

    p = req.params
    if not p.get("realm") or not p.get("name"):
        raise ControlError("realm and name are required")
    country = p.get("country", "US")
    if country not in ("US", "GB", "CA", "AU"):
        raise ControlError("country is one of US, GB, CA, AU")
    _qbo_company(
        req.sb,
        str(p["realm"]),
        p["name"],
        country,
        p.get("currency", "USD"),
        p.get("currencies", []),
    )
    return qbo.company(req.sb, str(p["realm"]))


def _qbo_or_404(req: Request, realm: str) -> None:
    if qbo.company(req.sb, realm) is None:
        raise ControlError(f"no QuickBooks company {realm}", status=404)


@router.post("/_sandbox/quickbooks/companies/{realm}/seed", kind="control")
def qbo_seed(req: Request, realm: str) -> dict[str, Any]:
    """Existing books in QuickBooks' shapes: {"accounts": [Account], "customers": [Customer],
    "vendors": [Vendor], "invoices": [Invoice], "payments": [Payment]}."""
    _qbo_or_404(req, realm)
    sb, out = (
        req.sb,
        {"accounts": [], "customers": [], "vendors": [], "invoices": [], "payments": []},
    )
    for a in req.params.get("accounts", []):
        out["accounts"].append(
            qbo.insert(
                sb,
                realm,
                "Account",
                {"Active": True, "SubAccount": False, "FullyQualifiedName": a.get("Name", ""), **a},
            )
        )
    for c in req.params.get("customers", []):
        out["customers"].append(qbo_entities.customer_save(sb, realm, c))
    for v in req.params.get("vendors", []):
        if qbo.name_taken(sb, realm, v.get("DisplayName", "")):
            raise qbo_entities.duplicate_name(v.get("DisplayName", ""))
        out["vendors"].append(qbo.insert(sb, realm, "Vendor", {"Active": True, **v}))
    for i in req.params.get("invoices", []):
        out["invoices"].append(qbo_tx.invoice_create(sb, realm, i))
    for p in req.params.get("payments", []):
        out["payments"].append(qbo_tx.payment_create(sb, realm, p))
    return out


@router.get("/_sandbox/quickbooks/companies/{realm}/ledger", kind="control")
def qbo_ledger(req: Request, realm: str) -> dict[str, Any]:
    _qbo_or_404(req, realm)
    return {
        key: req.sb.store.all("quickbooks", realm, kind)
        for key, kind in (
            ("customers", "Customer"),
            ("invoices", "Invoice"),
            ("payments", "Payment"),
            ("accounts", "Account"),
            ("tax_codes", "TaxCode"),
            ("items", "Item"),
            ("transfers", "Transfer"),
            ("purchases", "Purchase"),
        )
    }


@router.get("/_sandbox/quickbooks/companies/{realm}/balances", kind="control")
def qbo_balances(req: Request, realm: str) -> dict[str, Any]:
    """Every account's movement from deposited payments, expenses and transfers."""
    from accounting_sandbox.quickbooks import banking

    _qbo_or_404(req, realm)
    return {"accounts": banking.account_balances(req.sb, realm)}
