"""QuickBooks Online as Intuit documents it: one company per consent, unique names, tax
codes outside the US, paged queries, requestid replays per company."""

from __future__ import annotations

import pytest

from accounting_sandbox.tests.helpers import qbo


@pytest.fixture
def uk(accounting_sandbox):
    tokens = accounting_sandbox.connect("quickbooks", choose=[accounting_sandbox.qbo_uk])
    return tokens["access_token"]


def _one(sb, token, sql, realm):
    status, _, body = qbo(sb, token, "GET", "query", query={"query": sql}, realm=realm)
    assert status == 200, body
    return body["QueryResponse"]


def _ids(sb, token, realm):
    customer = _one(
        sb, token, "select * from Customer where DisplayName = 'Acme Hardware LLC'", realm
    )["Customer"][0]
    item = _one(sb, token, "select * from Item where Name = 'Services'", realm)["Item"][0]
    return customer["Id"], item["Id"]


def _line(item, amount=100, tax_code=None):
    detail = {"ItemRef": {"value": item}, "Qty": 1, "UnitPrice": amount}
    if tax_code:
        detail["TaxCodeRef"] = {"value": tax_code}
    return {
        "DetailType": "SalesItemLineDetail",
        "Amount": amount,
        "Description": "Advice",
        "SalesItemLineDetail": detail,
    }


def test_consent_returns_the_chosen_company_as_realm_id(accounting_sandbox):
    answer = accounting_sandbox.consent("quickbooks", choose=[accounting_sandbox.qbo_ca])
    assert answer["realmId"] == accounting_sandbox.qbo_ca and answer["code"]


def test_the_token_reaches_only_its_own_company(accounting_sandbox, uk):
    status, _, body = qbo(
        accounting_sandbox, uk, "GET", "preferences", realm=accounting_sandbox.qbo_us
    )
    assert status == 403 and body["Fault"]["type"] == "AUTHORIZATION"


def test_refresh_rotates_and_the_old_token_is_refused(accounting_sandbox):
    tokens = accounting_sandbox.connect("quickbooks")
    old = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    status, fresh = accounting_sandbox.token("quickbooks", old)
    assert status == 200 and fresh["refresh_token"] != tokens["refresh_token"]
    assert accounting_sandbox.token("quickbooks", old) == (400, {"error": "invalid_grant"})


def test_display_names_are_unique_across_customers_and_vendors(accounting_sandbox):
    token = accounting_sandbox.connect("quickbooks")["access_token"]
    status, _, body = qbo(
        accounting_sandbox, token, "POST", "customer", {"DisplayName": "Bright Dental PC"}
    )
    assert status == 400 and body["Fault"]["Error"][0]["code"] == "6240"


def test_a_uk_invoice_line_without_a_tax_code_is_refused(accounting_sandbox, uk):
    customer, item = _ids(accounting_sandbox, uk, accounting_sandbox.qbo_uk)
    status, _, body = qbo(
        accounting_sandbox,
        uk,
        "POST",
        "invoice",
        {"CustomerRef": {"value": customer}, "Line": [_line(item)]},
        realm=accounting_sandbox.qbo_uk,
    )
    assert status == 400
    error = body["Fault"]["Error"][0]
    assert error["code"] == "6000" and "VAT rate" in error["Detail"]


def test_a_uk_invoice_with_vat_codes_carries_the_vat(accounting_sandbox, uk):
    realm = accounting_sandbox.qbo_uk
    customer, item = _ids(accounting_sandbox, uk, realm)
    code = _one(accounting_sandbox, uk, "select * from TaxCode where Name = '20.0% S'", realm)[
        "TaxCode"
    ][0]["Id"]
    status, _, body = qbo(
        accounting_sandbox,
        uk,
        "POST",
        "invoice",
        {
            "CustomerRef": {"value": customer},
            "CurrencyRef": {"value": "GBP"},
            "DocNumber": "FP-1",
            "Line": [_line(item, 250, code)],
        },
        realm=realm,
    )
    assert status == 200, body
    assert (body["Invoice"]["TxnTaxDetail"]["TotalTax"], body["Invoice"]["TotalAmt"]) == (
        50.0,
        300.0,
    )


def test_a_us_invoice_needs_no_tax_code(accounting_sandbox):
    token = accounting_sandbox.connect("quickbooks")["access_token"]
    customer, item = _ids(accounting_sandbox, token, accounting_sandbox.qbo_us)
    status, _, body = qbo(
        accounting_sandbox,
        token,
        "POST",
        "invoice",
        {"CustomerRef": {"value": customer}, "Line": [_line(item)]},
    )
    assert status == 200 and body["Invoice"]["DocNumber"] == "1002"


def test_document_numbers_are_unique(accounting_sandbox):
    token = accounting_sandbox.connect("quickbooks")["access_token"]
    customer, item = _ids(accounting_sandbox, token, accounting_sandbox.qbo_us)
    status, _, body = qbo(
        accounting_sandbox,
        token,
        "POST",
        "invoice",
        {"CustomerRef": {"value": customer}, "DocNumber": "1001", "Line": [_line(item)]},
    )
    assert status == 400 and body["Fault"]["Error"][0]["code"] == "6140"


def test_queries_return_100_rows_unless_paged_and_at_most_1000(accounting_sandbox):
    realm = accounting_sandbox.qbo_us
    accounting_sandbox.control(
        "POST",
        f"quickbooks/companies/{realm}/seed",
        {
            "accounts": [
                {"Name": f"Expense {n}", "AccountType": "Expense", "Classification": "Expense"}
                for n in range(150)
            ]
        },
    )
    token = accounting_sandbox.connect("quickbooks")["access_token"]
    first = _one(accounting_sandbox, token, "select * from Account", realm)
    assert (len(first["Account"]), first["startPosition"], first["maxResults"]) == (100, 1, 100)
    rest = _one(
        accounting_sandbox, token, "select * from Account STARTPOSITION 101 MAXRESULTS 1000", realm
    )
    assert len(rest["Account"]) == 58
    assert _one(accounting_sandbox, token, "select count(*) from Account", realm) == {
        "totalCount": 158
    }
    status, _, body = qbo(
        accounting_sandbox,
        token,
        "GET",
        "query",
        query={"query": "select * from Account MAXRESULTS 1001"},
    )
    assert status == 400 and body["Fault"]["Error"][0]["code"] == "4001"


def test_a_payment_reduces_the_balance_and_deleting_it_restores_it(accounting_sandbox):
    token = accounting_sandbox.connect("quickbooks")["access_token"]
    customer, item = _ids(accounting_sandbox, token, accounting_sandbox.qbo_us)
    _, _, made = qbo(
        accounting_sandbox,
        token,
        "POST",
        "invoice",
        {"CustomerRef": {"value": customer}, "Line": [_line(item, 80)]},
    )
    invoice = made["Invoice"]["Id"]
    bank = _one(
        accounting_sandbox,
        token,
        "select * from Account where Name = 'Checking'",
        accounting_sandbox.qbo_us,
    )["Account"][0]["Id"]
    status, _, paid = qbo(
        accounting_sandbox,
        token,
        "POST",
        "payment",
        {
            "CustomerRef": {"value": customer},
            "TotalAmt": 80,
            "TxnDate": "2026-05-02",
            "Line": [{"Amount": 80, "LinkedTxn": [{"TxnId": invoice, "TxnType": "Invoice"}]}],
            "DepositToAccountRef": {"value": bank},
            "PaymentRefNum": "pi_1",
        },
        query={"requestid": "p-1"},
    )
    assert status == 200
    assert qbo(accounting_sandbox, token, "GET", f"invoice/{invoice}")[2]["Invoice"]["Balance"] == 0
    payment = paid["Payment"]
    status, _, gone = qbo(
        accounting_sandbox,
        token,
        "POST",
        "payment",
        {"Id": payment["Id"], "SyncToken": payment["SyncToken"]},
        query={"operation": "delete"},
    )
    assert gone["Payment"]["status"] == "Deleted"
    assert (
        qbo(accounting_sandbox, token, "GET", f"invoice/{invoice}")[2]["Invoice"]["Balance"] == 80
    )


def test_a_repeated_requestid_replays_the_first_answer_within_one_company(accounting_sandbox):
    us = accounting_sandbox.connect("quickbooks")["access_token"]
    first = qbo(
        accounting_sandbox,
        us,
        "POST",
        "customer",
        {"DisplayName": "Replay Co"},
        query={"requestid": "r-1"},
    )
    again = qbo(
        accounting_sandbox,
        us,
        "POST",
        "customer",
        {"DisplayName": "Replay Co"},
        query={"requestid": "r-1"},
    )
    assert first[0] == again[0] == 200 and first[2]["Customer"]["Id"] == again[2]["Customer"]["Id"]
    ca = accounting_sandbox.connect("quickbooks", choose=[accounting_sandbox.qbo_ca])[
        "access_token"
    ]
    other = qbo(
        accounting_sandbox,
        ca,
        "POST",
        "customer",
        {"DisplayName": "Replay Co"},
        query={"requestid": "r-1"},
        realm=accounting_sandbox.qbo_ca,
    )
    assert other[0] == 200 and other[2]["Customer"]["CurrencyRef"] == {"value": "CAD"}


def test_voiding_an_unpaid_invoice_zeroes_it(accounting_sandbox):
    token = accounting_sandbox.connect("quickbooks")["access_token"]
    customer, item = _ids(accounting_sandbox, token, accounting_sandbox.qbo_us)
    _, _, made = qbo(
        accounting_sandbox,
        token,
        "POST",
        "invoice",
        {"CustomerRef": {"value": customer}, "Line": [_line(item, 40)]},
    )
    body = {"Id": made["Invoice"]["Id"], "SyncToken": made["Invoice"]["SyncToken"]}
    status, _, voided = qbo(
        accounting_sandbox, token, "POST", "invoice", body, query={"operation": "void"}
    )
    assert status == 200 and voided["Invoice"]["Balance"] == 0
    assert (
        qbo(accounting_sandbox, token, "POST", "invoice", body, query={"operation": "void"})[2][
            "Fault"
        ]["Error"][0]["code"]
        == "5010"
    )  # stale SyncToken


def test_an_unknown_property_is_refused_with_2010(accounting_sandbox):
    token = accounting_sandbox.connect("quickbooks")["access_token"]
    status, _, body = qbo(
        accounting_sandbox,
        token,
        "POST",
        "customer",
        {"DisplayName": "Typo Co", "PrimaryEmail": {"Address": "x@y.test"}},
    )
    assert status == 400 and body["Fault"]["Error"][0]["code"] == "2010"


def test_an_unknown_query_parameter_is_refused_with_2010(accounting_sandbox):
    token = accounting_sandbox.connect("quickbooks")["access_token"]
    status, _, body = qbo(
        accounting_sandbox, token, "GET", "preferences", query={"minorverison": "75"}
    )
    assert status == 400 and body["Fault"]["Error"][0]["code"] == "2010"
