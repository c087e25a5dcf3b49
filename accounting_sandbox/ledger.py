"""The sandbox's own pages: an index of every organisation and company, and a "ledger" page
for each listing its contacts/customers, invoices and payments, as the firm would see them
in Xero or QuickBooks."""

from __future__ import annotations

from typing import Any

from accounting_sandbox.errors import PageError
from accounting_sandbox.pages import h, page
from accounting_sandbox.quickbooks import model as qbo
from accounting_sandbox.router import Request, Response, Router
from accounting_sandbox.xero import model

router = Router()


def _table(headers: list[str], rows: list[list[Any]], empty: str, table_id: str = "") -> str:
    if not rows:
        return f"<p class=muted>{h(empty)}</p>"
    head = "".join(f"<th>{h(x)}</th>" for x in headers)
    body = "".join("<tr>" + "".join(f"<td>{h(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    ident = f" id='{h(table_id)}'" if table_id else ""
    return f"<table{ident}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _balances_table(rows: list[list[Any]]) -> str:
    """Accounts with their balance from what the API recorded: a Stripe clearing account
    nets to zero once each payout's fees and transfer are booked."""
    return "<h2>Account balances</h2>" + _table(
        ["Code", "Account", "Type", "Balance"], rows, "No accounts.", "account-balances"
    )


@router.get("/", kind="page")
def index(req: Request) -> Response:
    xero = "".join(
        f"<li><a href='/ledger/xero/{h(o['_tenant'])}'>{h(o['Name'])}</a> "
        f"<span class=muted>({h(o['CountryCode'])}, {h(o['BaseCurrency'])})</span></li>"
        for o in model.orgs(req.sb)
    )
    qb = "".join(
        f"<li><a href='/ledger/quickbooks/{h(c['realm'])}'>{h(c['CompanyName'])}</a> "
        f"<span class=muted>({h(c['Country'])}, {h(c['currency'])}, realm {h(c['realm'])})</span></li>"
        for c in qbo.companies(req.sb)
    )
    body = (
        f"<h1>Accounting sandbox</h1><p class=muted>A local stand-in for Xero and QuickBooks "
        f"Online. Nothing here reaches a real ledger.</p><h2>Xero organisations</h2><ul>{xero}</ul>"
        f"<h2>QuickBooks Online companies</h2><ul>{qb}</ul>"
    )
    return page("Ledgers", body)


@router.get("/xero/app/AccountsReceivable/View.aspx", kind="page")
def xero_invoice_link(req: Request) -> Response:
    """Where Xero's invoice links (`XERO_APP_URL`) land: the ledger holding that invoice."""
    wanted = req.query.get("InvoiceID", "").lower()
    for org in model.orgs(req.sb):
        if req.sb.store.get("xero", org["_tenant"], "Invoice", wanted):
            return Response.redirect(f"/ledger/xero/{org['_tenant']}#invoice-{wanted}")
    raise PageError("Not found", "No invoice with that id in this sandbox.", 404)


@router.get("/quickbooks/app/invoice", kind="page")
def qbo_invoice_link(req: Request) -> Response:
    """QuickBooks' invoice links carry only the id: the company's ledger if one company has
    it, else the list of ledgers."""
    txn = req.query.get("txnId", "")
    realms = [
        c["realm"]
        for c in qbo.companies(req.sb)
        if req.sb.store.get("quickbooks", c["realm"], "Invoice", txn)
    ]
    return Response.redirect(f"/ledger/quickbooks/{realms[0]}" if len(realms) == 1 else "/")


@router.get("/ledger/xero/{tenant}", kind="page")
def xero_ledger(req: Request, tenant: str) -> Response:
    org = model.org(req.sb, tenant)
    if org is None:
        raise PageError("Not found", "No such Xero organisation in this sandbox.", 404)
    all_ = req.sb.store.all
    contacts = [
        [c["Name"], c.get("EmailAddress", ""), c.get("ContactNumber", ""), c["ContactStatus"]]
        for c in all_("xero", tenant, "Contact")
    ]
    invoices = [
        [
            i.get("InvoiceNumber", ""),
            i["Contact"]["Name"],
            i.get("_date", ""),
            i["Status"],
            f"{i['CurrencyCode']} {i['Total']:.2f}",
            f"{i['AmountDue']:.2f}",
            ", ".join(line.get("TaxType", "") for line in i["LineItems"]),
        ]
        for i in all_("xero", tenant, "Invoice")
    ]
    payments = [
        [
            p.get("_date", ""),
            p["Invoice"].get("InvoiceNumber", ""),
            f"{p['Amount']:.2f}",
            p["Account"].get("Code", ""),
            p.get("Reference", ""),
            p["Status"],
        ]
        for p in all_("xero", tenant, "Payment")
    ]
    from accounting_sandbox.xero import banking

    balances = [
        [a["Code"], a["Name"], a["Type"], a["Balance"]]
        for a in banking.account_balances(req.sb, tenant)
    ]
    transfers = [
        [
            t.get("_date", ""),
            t["FromBankAccount"].get("Name", ""),
            t["ToBankAccount"].get("Name", ""),
            f"{t['Amount']:.2f}",
            t.get("Reference", ""),
        ]
        for t in all_("xero", tenant, "BankTransfer")
    ]
    spent = [
        [
            b.get("_date", ""),
            b["Type"],
            b["BankAccount"].get("Name", ""),
            b["Contact"].get("Name", ""),
            "; ".join(
                f"{li['Description']} {li['LineAmount']:.2f} ({li['AccountCode']})"
                for li in b["LineItems"]
            ),
            f"{b['Total']:.2f}",
            b.get("Reference", ""),
        ]
        for b in all_("xero", tenant, "BankTransaction")
    ]
    body = (
        f"<h1>{h(org['Name'])}</h1><p class=muted>Xero organisation {h(tenant)} · "
        f"{h(org['CountryCode'])} · {h(org['BaseCurrency'])} · <a href='/'>all ledgers</a></p>"
        "<h2>Contacts</h2>"
        + _table(["Name", "Email", "Contact number", "Status"], contacts, "No contacts.")
        + "<h2>Invoices</h2>"
        + _table(
            ["Number", "Contact", "Date", "Status", "Total", "Due", "Tax"], invoices, "No invoices."
        )
        + "<h2>Payments</h2>"
        + _table(
            ["Date", "Invoice", "Amount", "Account", "Reference", "Status"],
            payments,
            "No payments.",
        )
        + "<h2>Bank transactions</h2>"
        + _table(
            ["Date", "Type", "Bank account", "Contact", "Lines", "Total", "Reference"],
            spent,
            "No bank transactions.",
            "bank-transactions",
        )
        + "<h2>Bank transfers</h2>"
        + _table(
            ["Date", "From", "To", "Amount", "Reference"],
            transfers,
            "No bank transfers.",
            "bank-transfers",
        )
        + _balances_table(balances)
    )
    return page(org["Name"], body, wide=True, vendor="xero")


@router.get("/ledger/quickbooks/{realm}", kind="page")
def qbo_ledger(req: Request, realm: str) -> Response:
    company = qbo.company(req.sb, realm)
    if company is None:
        raise PageError("Not found", "No such QuickBooks company in this sandbox.", 404)
    all_ = req.sb.store.all
    codes = {c["Id"]: c["Name"] for c in all_("quickbooks", realm, "TaxCode")}
    customers = [
        [c["DisplayName"], (c.get("PrimaryEmailAddr") or {}).get("Address", ""), c["Id"]]
        for c in all_("quickbooks", realm, "Customer")
    ]
    invoices = [
        [
            i["DocNumber"],
            i["CustomerRef"].get("name", ""),
            i["TxnDate"],
            f"{i['CurrencyRef']['value']} {i['TotalAmt']:.2f}",
            f"{i['Balance']:.2f}",
            ", ".join(
                codes.get(
                    ((line.get("SalesItemLineDetail") or {}).get("TaxCodeRef") or {}).get("value"),
                    "",
                )
                for line in i["Line"]
                if line["DetailType"] == "SalesItemLineDetail"
            ),
        ]
        for i in all_("quickbooks", realm, "Invoice")
    ]
    payments = [
        [
            p["TxnDate"],
            p["CustomerRef"].get("name", ""),
            f"{p['TotalAmt']:.2f}",
            (p.get("DepositToAccountRef") or {}).get("name", "Undeposited Funds"),
            p.get("PaymentRefNum", ""),
        ]
        for p in all_("quickbooks", realm, "Payment")
    ]
    from accounting_sandbox.quickbooks import banking

    balances = [
        [a["AcctNum"], a["Name"], a["AccountType"], a["Balance"]]
        for a in banking.account_balances(req.sb, realm)
    ]
    transfers = [
        [
            t["TxnDate"],
            t["FromAccountRef"]["name"],
            t["ToAccountRef"]["name"],
            f"{t['Amount']:.2f}",
            t.get("PrivateNote", ""),
        ]
        for t in all_("quickbooks", realm, "Transfer")
    ]
    expenses = [
        [
            p["TxnDate"],
            p["AccountRef"]["name"],
            "; ".join(
                f"{line.get('Description', '')} {line['Amount']:.2f}"
                f" ({line['AccountBasedExpenseLineDetail']['AccountRef']['name']})"
                for line in p["Line"]
            ),
            f"{p['TotalAmt']:.2f}",
            p.get("PrivateNote", ""),
        ]
        for p in all_("quickbooks", realm, "Purchase")
    ]
    body = (
        f"<h1>{h(company['CompanyName'])}</h1><p class=muted>QuickBooks company (realm {h(realm)}) · "
        f"{h(company['Country'])} · {h(company['currency'])} · <a href='/'>all ledgers</a></p>"
        "<h2>Customers</h2>"
        + _table(["Display name", "Email", "Id"], customers, "No customers.")
        + "<h2>Invoices</h2>"
        + _table(
            ["Number", "Customer", "Date", "Total", "Balance", "Tax codes"],
            invoices,
            "No invoices.",
        )
        + "<h2>Payments</h2>"
        + _table(
            ["Date", "Customer", "Amount", "Deposited to", "Reference"], payments, "No payments."
        )
        + "<h2>Expenses</h2>"
        + _table(
            ["Date", "Paid from", "Lines", "Total", "Memo"], expenses, "No expenses.", "expenses"
        )
        + "<h2>Transfers</h2>"
        + _table(["Date", "From", "To", "Amount", "Memo"], transfers, "No transfers.", "transfers")
        + _balances_table(balances)
    )
    return page(company["CompanyName"], body, wide=True, vendor="quickbooks")
