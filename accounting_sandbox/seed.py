"""The ledgers every sandbox starts with (and returns to on reset): the demo firm's books in
Xero (a US and a UK organisation) and QuickBooks (US, UK with VAT, Canada, Australia), each
already holding a customer who is also a Firmpay demo client, so the first sync links
instead of duplicating, and invoices numbered the vendor's own way."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from accounting_sandbox.quickbooks import entities as qbo_entities
from accounting_sandbox.quickbooks import model as qbo
from accounting_sandbox.quickbooks import transactions as qbo_tx
from accounting_sandbox.xero import contacts, invoices, model, settings

XERO_US = "7a1f0e52-3c4b-4d5e-8f60-000000000001"
XERO_UK = "7a1f0e52-3c4b-4d5e-8f60-000000000002"
QBO_US, QBO_UK, QBO_CA, QBO_AU = (
    "9341450000000001",
    "9341450000000002",
    "9341450000000003",
    "9341450000000004",
)
FIRM = "Demo & Co Accountants"
LINKED_CLIENT = {"name": "Acme Hardware LLC", "email": "ap@acme-hardware.test"}
OTHER_CUSTOMER = "Northwind Traders"

XERO_TAX = {
    "GB": [
        ("OUTPUT2", "20% (VAT on Income)", "20", "OUTPUT"),
        ("RROUTPUT", "5% (VAT on Income)", "5", "OUTPUT"),
        ("ZERORATEDOUTPUT", "Zero Rated Income", "0", "ZERORATEDOUTPUT"),
        ("EXEMPTOUTPUT", "Exempt Income", "0", "EXEMPTOUTPUT"),
        ("NONE", "No VAT", "0", "NONE"),
    ],
    "US": [
        ("TAX001", "Sales Tax on Sales", "8.875", "USSALESTAX"),
        ("NONE", "Tax Exempt", "0", "NONE"),
    ],
}
QBO_TAX = {
    "GB": [("20.0% S", "20"), ("5.0% R", "5"), ("0.0% Z", "0"), ("Exempt", "0")],
    "CA": [("GST", "5"), ("HST ON", "13"), ("Exempt", "0")],
    "AU": [("GST", "10"), ("GST free", "0")],
}


def setup(sb: Any) -> None:
    if not sb.config.demo_seed:
        return
    _xero_org(sb, XERO_US, FIRM, "US", "USD", ["GBP", "EUR", "CAD"])
    _xero_org(sb, XERO_UK, f"{FIRM} (UK)", "GB", "GBP", ["USD", "EUR"])
    # A consent from before: the UK organisation is already connected with an older
    # authEventId, so an unfiltered /connections lists it after any later consent.
    model.connect(
        sb,
        user=model.USER,
        client_id=sb.config.xero_client_id,
        tenant=XERO_UK,
        auth_event_id="3d9c3b8e-6a2f-4d0e-9b1a-000000000000",
    )
    _qbo_company(sb, QBO_US, FIRM, "US", "USD", ["GBP", "EUR", "CAD"])
    _qbo_company(sb, QBO_UK, f"{FIRM} UK Ltd", "GB", "GBP", ["USD", "EUR"])
    _qbo_company(sb, QBO_CA, f"{FIRM} Canada Inc", "CA", "CAD", ["USD"])
    _qbo_company(sb, QBO_AU, f"{FIRM} Pty Ltd", "AU", "AUD", ["USD"])


def _xero_org(
    sb: Any, tenant: str, name: str, country: str, currency: str, more: list[str]
) -> None:
    model.org_create(
        sb, name=name, country=country, currency=currency, tenant_id=tenant, _currencies=more
    )
    rates = XERO_TAX.get(country, XERO_TAX["US"])
    for tax_type, label, rate, report in rates:
        settings.tax_rate_create(
            sb, tenant, tax_type=tax_type, name=label, rate=rate, report=report
        )
    sales_tax = rates[0][0]
    settings.account_create(sb, tenant, code="090", name="Business Bank Account", type="BANK")
    settings.account_create(sb, tenant, code="091", name="Stripe Clearing", type="BANK")
    settings.account_create(
        sb, tenant, code="200", name="Sales", type="REVENUE", tax_type=sales_tax
    )
    settings.account_create(
        sb, tenant, code="260", name="Other Revenue", type="REVENUE", tax_type=sales_tax
    )
    settings.account_create(
        sb, tenant, code="270", name="Interest Income", type="REVENUE", tax_type="NONE"
    )
    settings.account_create(
        sb, tenant, code="610", name="Accounts Receivable", type="CURRENT", SystemAccount="DEBTORS"
    )
    settings.account_create(
        sb, tenant, code="620", name="Prepayments", type="CURRENT", payments=True
    )
    settings.account_create(sb, tenant, code="400", name="Advertising", type="OVERHEADS")
    settings.account_create(sb, tenant, code="404", name="Bank Fees", type="OVERHEADS")
    settings.account_create(
        sb, tenant, code="499", name="Old Sales", type="REVENUE", status="ARCHIVED"
    )
    contacts.save(
        sb, tenant, {"Name": LINKED_CLIENT["name"], "EmailAddress": LINKED_CLIENT["email"]}
    )
    contacts.save(sb, tenant, {"Name": OTHER_CUSTOMER, "EmailAddress": "accounts@northwind.test"})
    for n, amount in enumerate(("1200.00", "450.00", "980.00"), start=1):
        invoices.save(
            sb,
            tenant,
            {
                "Type": "ACCREC",
                "Contact": {"Name": OTHER_CUSTOMER},
                "Status": "AUTHORISED",
                "Date": f"2026-0{n}-15",
                "DueDate": f"2026-0{n + 1}-14",
                "LineItems": [
                    {
                        "Description": "Bookkeeping",
                        "Quantity": 1,
                        "UnitAmount": amount,
                        "AccountCode": "200",
                    }
                ],
            },
        )


def _qbo_company(
    sb: Any, realm: str, name: str, country: str, currency: str, more: list[str]
) -> None:
    qbo.company_create(
        sb, realm=realm, name=name, country=country, currency=currency, currencies=more
    )
    stamp = qbo.now_iso(sb)
    envelope = {
        "SyncToken": "0",
        "domain": "QBO",
        "sparse": False,
        "MetaData": {"CreateTime": stamp, "LastUpdatedTime": stamp},
    }
    sb.store.put(
        qbo.Q,
        realm,
        "CompanyInfo",
        realm,
        {
            "Id": "1",
            **envelope,
            "CompanyName": name,
            "LegalName": name,
            "Country": country,
            "CompanyAddr": {"Country": country},
            "Email": {"Address": "books@demo.firmpay.test"},
            "FiscalYearStartMonth": "January",
            "SupportedLanguages": "en",
            "NameValue": [{"Name": "OfferingSku", "Value": "QuickBooks Online Plus"}],
        },
    )
    sb.store.put(
        qbo.Q,
        realm,
        "Preferences",
        "1",
        {
            "Id": "1",
            **envelope,
            "CurrencyPrefs": {
                "MultiCurrencyEnabled": bool(more),
                "HomeCurrency": {"value": currency},
            },
            "TaxPrefs": {"UsingSalesTax": True, "PartnerTaxEnabled": country != "US"},
            "SalesFormsPrefs": {"CustomTxnNumbers": True},
        },
    )
    accounts = {}
    for acct_name, acct_type, classification, number in (
        ("Checking", "Bank", "Asset", "1000"),
        ("Stripe Clearing", "Bank", "Asset", "1010"),
        ("Undeposited Funds", "Other Current Asset", "Asset", "1200"),
        ("Accounts Receivable (A/R)", "Accounts Receivable", "Asset", "1100"),
        ("Services", "Income", "Revenue", "4000"),
        ("Sales", "Income", "Revenue", "4100"),
        ("Advertising", "Expense", "Expense", "6000"),
        ("Bank Charges", "Expense", "Expense", "6100"),
    ):
        accounts[acct_name] = qbo.insert(
            sb,
            realm,
            "Account",
            {
                "Name": acct_name,
                "FullyQualifiedName": acct_name,
                "AcctNum": number,
                "Active": True,
                "AccountType": acct_type,
                "Classification": classification,
                "SubAccount": False,
                "CurrentBalance": 0,
                "CurrencyRef": {"value": currency},
            },
        )
    codes = _qbo_tax(sb, realm, country)
    item = qbo_entities.item_save(
        sb,
        realm,
        {
            "Name": "Services",
            "Type": "Service",
            "IncomeAccountRef": {"value": accounts["Services"]["Id"]},
        },
    )
    qbo_entities.customer_save(
        sb,
        realm,
        {
            "DisplayName": LINKED_CLIENT["name"],
            "PrimaryEmailAddr": {"Address": LINKED_CLIENT["email"]},
        },
    )
    other = qbo_entities.customer_save(
        sb,
        realm,
        {"DisplayName": OTHER_CUSTOMER, "PrimaryEmailAddr": {"Address": "accounts@northwind.test"}},
    )
    if country == "US":  # a vendor holding a demo client's name: 6240 for that customer
        qbo.insert(
            sb,
            realm,
            "Vendor",
            {
                "DisplayName": "Bright Dental PC",
                "Active": True,
                "PrintOnCheckName": "Bright Dental PC",
            },
        )
    detail = {"ItemRef": {"value": item["Id"]}, "Qty": 1, "UnitPrice": 750}
    if codes:
        detail["TaxCodeRef"] = {"value": codes[0]}
    qbo_tx.invoice_create(
        sb,
        realm,
        {
            "CustomerRef": {"value": other["Id"]},
            "TxnDate": "2026-01-15",
            "Line": [
                {"DetailType": "SalesItemLineDetail", "Amount": 750, "SalesItemLineDetail": detail}
            ],
        },
    )


def _qbo_tax(sb: Any, realm: str, country: str) -> list[str]:
    if country == "US":
        for code in ("TAX", "NON"):
            sb.store.put(
                qbo.Q,
                realm,
                "TaxCode",
                code,
                {
                    "Id": code,
                    "SyncToken": "0",
                    "domain": "QBO",
                    "sparse": False,
                    "Name": code,
                    "Description": "Taxable" if code == "TAX" else "Non-Taxable",
                    "Active": True,
                    "Taxable": code == "TAX",
                    "TaxGroup": False,
                },
            )
        return []
    codes = []
    for label, rate in QBO_TAX[country]:
        tax_rate = qbo.insert(
            sb,
            realm,
            "TaxRate",
            {
                "Name": f"{label} (sales)",
                "Description": label,
                "Active": True,
                "RateValue": Decimal(rate),
                "AgencyRef": {"value": "1"},
                "SpecialTaxType": "NONE",
                "DisplayType": "ReadOnly",
            },
        )
        code = qbo.insert(
            sb,
            realm,
            "TaxCode",
            {
                "Name": label,
                "Description": label,
                "Active": True,
                "Taxable": True,
                "TaxGroup": True,
                "SalesTaxRateList": {
                    "TaxRateDetail": [
                        {
                            "TaxRateRef": {"value": tax_rate["Id"], "name": tax_rate["Name"]},
                            "TaxTypeApplicable": "TaxOnAmount",
                            "TaxOrder": 0,
                        }
                    ]
                },
                "PurchaseTaxRateList": {"TaxRateDetail": []},
            },
        )
        codes.append(code["Id"])
    return codes
