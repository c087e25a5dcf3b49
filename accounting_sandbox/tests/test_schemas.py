"""Walk every endpoint the sandbox serves with requests a client would send, and check each
request and each answer against the vendors' own definitions (Xero's OpenAPI files,
Intuit's XSDs). The sandbox checks requests on the way in (a mismatch is refused and
recorded as a violation); the test checks every answer again itself."""

from __future__ import annotations

import json

from accounting_sandbox import openapi, xsd
from accounting_sandbox.pytest_plugin import http
from accounting_sandbox.tests.helpers import qbo, xero

API_KINDS = {"xero_api", "qbo_api", "xero_connections", "xero_identity", "qbo_oauth"}


def _xero_walk(sb, token):
    answers = []

    def call(method, path, body=None, answer=None, **kw):
        status, _, got = xero(sb, token, method, path, body, **kw)
        assert status == 200, (path, got)
        answers.append((answer or path.split("/")[0], got))
        return got

    call("GET", "Organisation", answer="Organisations")
    accounts = call("GET", "Accounts", query={"where": 'Status=="ACTIVE"'})
    call("GET", f"Accounts/{accounts['Accounts'][0]['AccountID']}", answer="Accounts")
    call("GET", "TaxRates")
    made = call(
        "PUT",
        "Contacts",
        {"Contacts": [{"Name": "Walk Ltd", "EmailAddress": "w@walk.test", "ContactNumber": "W-1"}]},
    )
    contact_id = made["Contacts"][0]["ContactID"]
    call(
        "POST",
        "Contacts",
        {"Contacts": [{"ContactID": contact_id, "Name": "Walk Ltd", "FirstName": "Wa"}]},
    )
    call("POST", f"Contacts/{contact_id}", {"Contacts": [{"LastName": "Lk"}]}, answer="Contacts")
    call("GET", "Contacts", query={"where": 'ContactNumber=="W-1"', "page": "1"})
    call("GET", f"Contacts/{contact_id}", answer="Contacts")
    invoice = {
        "Type": "ACCREC",
        "Contact": {"ContactID": contact_id},
        "InvoiceNumber": "WALK-1",
        "Date": "2026-05-01",
        "DueDate": "2026-05-31",
        "Status": "AUTHORISED",
        "LineAmountTypes": "Exclusive",
        "CurrencyCode": "USD",
        "Reference": "walk",
        "LineItems": [
            {
                "Description": "Walk",
                "Quantity": 2,
                "UnitAmount": 50,
                "LineAmount": 100,
                "AccountCode": "200",
                "TaxType": "NONE",
                "TaxAmount": 0,
            }
        ],
    }
    made = call("PUT", "Invoices", {"Invoices": [invoice]})
    invoice_id = made["Invoices"][0]["InvoiceID"]
    draft = {**invoice, "InvoiceNumber": "WALK-2", "Status": "DRAFT"}
    made2 = call("POST", "Invoices", {"Invoices": [draft]})
    call(
        "POST",
        f"Invoices/{made2['Invoices'][0]['InvoiceID']}",
        {"Invoices": [{"Status": "DELETED"}]},
        answer="Invoices",
    )
    call("GET", "Invoices", query={"Statuses": "AUTHORISED", "page": "1"})
    call("GET", f"Invoices/{invoice_id}", answer="Invoices")
    payment = {
        "Invoice": {"InvoiceID": invoice_id},
        "Account": {"Code": "090"},
        "Date": "2026-05-02",
        "Amount": 60,
        "Reference": "walk-1",
    }
    paid = call("PUT", "Payments", {"Payments": [payment]})
    call("POST", "Payments", {**payment, "Amount": 40, "Reference": "walk-2"})
    call("GET", "Payments", query={"where": 'Reference=="walk-1"'})
    payment_id = paid["Payments"][0]["PaymentID"]
    call("GET", f"Payments/{payment_id}", answer="Payments")
    call("POST", f"Payments/{payment_id}", {"Status": "DELETED"}, answer="Payments")
    spend = {
        "Type": "SPEND",
        "Contact": {"ContactID": contact_id},
        "BankAccount": {"Code": "091"},
        "Date": "2026-05-03",
        "Reference": "walk fees",
        "CurrencyCode": "USD",
        "LineAmountTypes": "NoTax",
        "LineItems": [
            {"Description": "Fees", "Quantity": 1, "UnitAmount": 2, "AccountCode": "404"}
        ],
    }
    spent = call("PUT", "BankTransactions", {"BankTransactions": [spend]})
    call(
        "PUT", "BankTransactions", {"BankTransactions": [spend]}, query={"summarizeErrors": "false"}
    )
    call("GET", "BankTransactions", query={"where": 'Type=="SPEND"'})
    spend_id = spent["BankTransactions"][0]["BankTransactionID"]
    call("GET", f"BankTransactions/{spend_id}", answer="BankTransactions")
    transfer = {
        "FromBankAccount": {"AccountID": spent["BankTransactions"][0]["BankAccount"]["AccountID"]},
        "ToBankAccount": {"Code": "090"},
        "Amount": 10,
        "Date": "2026-05-03",
        "Reference": "walk payout",
    }
    moved = call("PUT", "BankTransfers", {"BankTransfers": [transfer]})
    call("GET", "BankTransfers")
    transfer_id = moved["BankTransfers"][0]["BankTransferID"]
    call("GET", f"BankTransfers/{transfer_id}", answer="BankTransfers")
    return answers


def test_every_endpoint_answers_in_the_vendors_shape(accounting_sandbox):
    sb = accounting_sandbox
    sb.sandbox.hits.clear()
    sb.control("POST", "config", {"rate_limits": False})  # the walk is faster than 10/s
    xero_tokens = sb.connect("xero")
    assert openapi.check(openapi.identity(), "AccessToken", xero_tokens, request=False) == []
    status, _, raw = http(
        "GET",
        f"{sb.base_url}/xero/connections",
        headers={"Authorization": f"Bearer {xero_tokens['access_token']}"},
    )
    for row in json.loads(raw):
        assert openapi.check(openapi.identity(), "Connection", row, request=False) == []
    for name, answer in _xero_walk(sb, xero_tokens["access_token"]):
        assert openapi.check(openapi.accounting(), name, answer, request=False) == [], name
    conn = json.loads(raw)[0]
    http(
        "DELETE",
        f"{sb.base_url}/xero/connections/{conn['id']}",
        headers={"Authorization": f"Bearer {xero_tokens['access_token']}"},
    )
    status, refreshed = sb.token(
        "xero", {"grant_type": "refresh_token", "refresh_token": xero_tokens["refresh_token"]}
    )
    assert status == 200
    assert openapi.check(openapi.identity(), "AccessToken", refreshed, request=False) == []
    http("POST", f"{sb.base_url}/xero/connect/revocation", data=b"token=x")

    qbo_tokens = sb.connect("quickbooks", choose=[sb.qbo_uk])
    token, realm = qbo_tokens["access_token"], sb.qbo_uk
    answers, bank, customer, item, code = _qbo_walk_safe(sb, token, realm)
    line = {
        "DetailType": "SalesItemLineDetail",
        "Amount": 100,
        "Description": "Walk",
        "SalesItemLineDetail": {
            "ItemRef": {"value": item["Id"]},
            "Qty": 1,
            "UnitPrice": 100,
            "TaxCodeRef": {"value": code["Id"]},
        },
    }
    steps = [
        (
            "POST",
            "invoice",
            {
                "CustomerRef": {"value": customer["Id"]},
                "DocNumber": "W-1",
                "TxnDate": "2026-05-01",
                "DueDate": "2026-05-31",
                "CurrencyRef": {"value": "GBP"},
                "PrivateNote": "walk",
                "Line": [line],
            },
            {"requestid": "walk-inv"},
        ),
    ]
    _, _, invoice = qbo(sb, token, *steps[0][:3], realm=realm, query=steps[0][3])
    answers.append(invoice)
    invoice = invoice["Invoice"]
    _, _, got = qbo(sb, token, "GET", f"invoice/{invoice['Id']}", realm=realm)
    answers.append(got)
    _, _, paid = qbo(
        sb,
        token,
        "POST",
        "payment",
        {
            "CustomerRef": {"value": customer["Id"]},
            "TotalAmt": 120,
            "TxnDate": "2026-05-02",
            "CurrencyRef": {"value": "GBP"},
            "DepositToAccountRef": {"value": bank},
            "PaymentRefNum": "walk",
            "PrivateNote": "walk",
            "Line": [
                {"Amount": 120, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}
            ],
        },
        realm=realm,
        query={"requestid": "walk-pay"},
    )
    answers.append(paid)
    payment = paid["Payment"]
    _, _, got = qbo(sb, token, "GET", f"payment/{payment['Id']}", realm=realm)
    answers.append(got)
    _, _, got = qbo(
        sb,
        token,
        "POST",
        "payment",
        {"Id": payment["Id"], "SyncToken": payment["SyncToken"]},
        realm=realm,
        query={"operation": "delete"},
    )
    answers.append(got)
    for operation in ("void", "delete"):
        sync = qbo(sb, token, "GET", f"invoice/{invoice['Id']}", realm=realm)[2]["Invoice"][
            "SyncToken"
        ]
        _, _, got = qbo(
            sb,
            token,
            "POST",
            "invoice",
            {"Id": invoice["Id"], "SyncToken": sync},
            realm=realm,
            query={"operation": operation},
        )
        answers.append(got)
    accounts = qbo(sb, token, "GET", "query", realm=realm, query={"query": "select * from Account"})
    ids = {row["Name"]: row["Id"] for row in accounts[2]["QueryResponse"]["Account"]}
    _, _, got = qbo(
        sb,
        token,
        "POST",
        "purchase",
        {
            "PaymentType": "Cash",
            "AccountRef": {"value": ids["Stripe Clearing"]},
            "TxnDate": "2026-05-03",
            "CurrencyRef": {"value": "GBP"},
            "PrivateNote": "walk fees",
            "Line": [
                {
                    "Amount": 2,
                    "Description": "Fees",
                    "DetailType": "AccountBasedExpenseLineDetail",
                    "AccountBasedExpenseLineDetail": {"AccountRef": {"value": ids["Bank Charges"]}},
                }
            ],
        },
        realm=realm,
        query={"requestid": "walk-fees"},
    )
    answers.append(got)
    _, _, got = qbo(
        sb,
        token,
        "POST",
        "transfer",
        {
            "FromAccountRef": {"value": ids["Stripe Clearing"]},
            "ToAccountRef": {"value": ids["Checking"]},
            "Amount": 10,
            "TxnDate": "2026-05-03",
            "PrivateNote": "walk payout",
        },
        realm=realm,
        query={"requestid": "walk-transfer"},
    )
    answers.append(got)
    answers.append(qbo(sb, token, "GET", f"transfer/{got['Transfer']['Id']}", realm=realm)[2])
    for answer in answers:
        assert "Fault" not in answer, answer
        assert xsd.check_response(answer) == [], answer
    sb.token(
        "quickbooks", {"grant_type": "refresh_token", "refresh_token": qbo_tokens["refresh_token"]}
    )
    http(
        "POST",
        f"{sb.base_url}/quickbooks/v2/oauth2/tokens/revoke",
        data=b"{}",
        headers={"Content-Type": "application/json"},
    )

    assert sb.violations() == []
    served = {(r.method, r.pattern) for r in sb.sandbox.routes.routes if r.kind in API_KINDS}
    assert served - sb.sandbox.hits == set()


def _qbo_walk_safe(sb, token, realm):
    """The QuickBooks walk without the deliberate parse error, plus POST query done right."""
    answers = []

    def call(method, path, body=None, **query):
        status, _, got = qbo(sb, token, method, path, body, realm=realm, query=query)
        assert status == 200, (path, got)
        answers.append(got)
        return got

    call("GET", f"companyinfo/{realm}")
    call("GET", "preferences")
    bank = call("GET", "query", query="select * from Account where AccountType = 'Bank'")[
        "QueryResponse"
    ]["Account"][0]["Id"]
    call("GET", f"account/{bank}")
    income = call(
        "GET", "query", query="select * from Account where AccountType = 'Income' MAXRESULTS 1"
    )
    code = call("GET", "query", query="select * from TaxCode where Name = '20.0% S'")[
        "QueryResponse"
    ]["TaxCode"][0]
    call("GET", f"taxcode/{code['Id']}")
    call("GET", f"taxrate/{code['SalesTaxRateList']['TaxRateDetail'][0]['TaxRateRef']['value']}")
    from accounting_sandbox.pytest_plugin import http as raw_http

    status, _, body = raw_http(
        "POST",
        f"{sb.base_url}/quickbooks/v3/company/{realm}/query?minorversion=75",
        data=b"select * from TaxRate",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/text"},
    )
    assert status == 200
    answers.append(json.loads(body))
    item = call(
        "POST",
        "item",
        {
            "Name": "Walk item",
            "Type": "Service",
            "IncomeAccountRef": {"value": income["QueryResponse"]["Account"][0]["Id"]},
        },
        requestid="walk-item",
    )["Item"]
    call("GET", f"item/{item['Id']}")
    customer = call(
        "POST",
        "customer",
        {
            "DisplayName": "Walk Ltd",
            "PrimaryEmailAddr": {"Address": "w@walk.test"},
            "CompanyName": "Walk Ltd",
        },
        requestid="walk-cust",
    )["Customer"]
    customer = call(
        "POST",
        "customer",
        {
            "Id": customer["Id"],
            "SyncToken": customer["SyncToken"],
            "sparse": True,
            "GivenName": "Wally",
        },
    )["Customer"]
    call("GET", f"customer/{customer['Id']}")
    return answers, bank, customer, item, code
