"""Bank transactions, bank transfers (Xero) and expenses, transfers (QuickBooks) as the
vendors document them, and the account balances the ledger pages show."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounting_sandbox.pytest_plugin import http
from accounting_sandbox.tests.helpers import qbo, xero


@pytest.fixture
def token(accounting_sandbox):
    return accounting_sandbox.connect("xero", choose=[accounting_sandbox.xero_us])["access_token"]


def _xero_balances(sb):
    rows = sb.control("GET", f"xero/organisations/{sb.xero_us}/balances")["accounts"]
    return {row["Code"]: Decimal(row["Balance"]) for row in rows}


def _transfer(source, target, amount=10.0):
    return {
        "BankTransfers": [
            {
                "FromBankAccount": {"Code": source},
                "ToBankAccount": {"Code": target},
                "Amount": amount,
                "Date": "2026-05-04",
                "Reference": "Stripe payout po_1",
            }
        ]
    }


def _spend(bank="091", line_account="404", contact=None):
    return {
        "BankTransactions": [
            {
                "Type": "SPEND",
                "Contact": contact or {"Name": "Stripe"},
                "BankAccount": {"Code": bank},
                "Date": "2026-05-04",
                "Reference": "Stripe payout po_1",
                "LineAmountTypes": "NoTax",
                "LineItems": [
                    {
                        "Description": "Stripe fees",
                        "Quantity": 1,
                        "UnitAmount": 3.2,
                        "AccountCode": line_account,
                    }
                ],
            }
        ]
    }


def test_a_xero_transfer_moves_money_between_two_bank_accounts(accounting_sandbox, token):
    status, _, body = xero(
        accounting_sandbox, token, "PUT", "BankTransfers", _transfer("091", "090")
    )
    assert status == 200, body
    transfer = body["BankTransfers"][0]
    assert transfer["Amount"] == 10.0 and transfer["FromBankAccount"]["Code"] == "091"
    balances = _xero_balances(accounting_sandbox)
    assert balances["091"] == Decimal("-10.00") and balances["090"] == Decimal("10.00")
    status, _, listed = xero(accounting_sandbox, token, "GET", "BankTransfers")
    assert [t["BankTransferID"] for t in listed["BankTransfers"]] == [transfer["BankTransferID"]]
    assert accounting_sandbox.violations() == []


@pytest.mark.parametrize(
    ("source", "target", "amount", "message"),
    [
        ("620", "090", 10.0, "FromBankAccount must be a bank account (Type BANK)"),
        ("091", "400", 10.0, "ToBankAccount must be a bank account (Type BANK)"),
        ("090", "090", 10.0, "The From and To bank accounts must be different"),
        ("091", "090", 0, "Amount must be greater than zero"),
    ],
)
def test_a_xero_transfer_needs_two_different_bank_accounts_and_an_amount(
    accounting_sandbox, token, source, target, amount, message
):
    status, _, body = xero(
        accounting_sandbox, token, "PUT", "BankTransfers", _transfer(source, target, amount)
    )
    assert status == 400
    assert body["Elements"][0]["ValidationErrors"][0]["Message"] == message
    assert _xero_balances(accounting_sandbox)["090"] == 0


def test_a_xero_spend_takes_money_out_of_a_bank_account_into_an_expense(accounting_sandbox, token):
    status, _, body = xero(accounting_sandbox, token, "PUT", "BankTransactions", _spend())
    assert status == 200, body
    assert body["BankTransactions"][0]["Total"] == 3.2
    balances = _xero_balances(accounting_sandbox)
    assert balances["091"] == Decimal("-3.20") and balances["404"] == Decimal("3.20")
    _, _, raw = http(
        "GET", f"{accounting_sandbox.base_url}/ledger/xero/{accounting_sandbox.xero_us}"
    )
    page = raw.decode()
    assert "Stripe fees 3.20 (404)" in page and "account-balances" in page


def test_a_xero_spend_refuses_a_non_bank_account_a_bank_line_or_no_contact(
    accounting_sandbox, token
):
    for body, message in (
        (_spend(bank="620"), "BankAccount must be a bank account (Type BANK)"),
        (_spend(line_account="090"), "A bank account cannot be used on a line item"),
    ):
        status, _, answer = xero(accounting_sandbox, token, "PUT", "BankTransactions", body)
        assert status == 400
        assert answer["Elements"][0]["ValidationErrors"][0]["Message"].startswith(message)
    no_contact = _spend()
    del no_contact["BankTransactions"][0]["Contact"]
    status, _, answer = xero(accounting_sandbox, token, "PUT", "BankTransactions", no_contact)
    assert status == 400
    assert answer["Elements"][0]["ValidationErrors"][0]["Message"] == (
        "A Contact must be specified for this type of transaction"
    )


def test_xero_refuses_a_transfer_field_its_schema_does_not_define(accounting_sandbox, token):
    body = _transfer("091", "090")
    body["BankTransfers"][0]["BankTransferID"] = "00000000-0000-0000-0000-000000000001"
    status, _, answer = xero(accounting_sandbox, token, "PUT", "BankTransfers", body)
    assert status == 400 and answer["Type"] == "PostDataInvalidException"


def test_bank_transactions_need_a_bank_transactions_scope(accounting_sandbox):
    narrow = accounting_sandbox.connect(
        "xero",
        scope="openid offline_access accounting.invoices accounting.payments",
        choose=[accounting_sandbox.xero_us],
    )["access_token"]
    status, _, _ = xero(accounting_sandbox, narrow, "PUT", "BankTransfers", _transfer("091", "090"))
    assert status == 401


def _qbo_accounts(sb, token):
    status, _, body = qbo(sb, token, "GET", "query", query={"query": "select * from Account"})
    assert status == 200
    return {row["Name"]: row["Id"] for row in body["QueryResponse"]["Account"]}


def _qbo_balances(sb):
    rows = sb.control("GET", f"quickbooks/companies/{sb.qbo_us}/balances")["accounts"]
    return {row["Name"]: Decimal(row["Balance"]) for row in rows}


def test_a_quickbooks_expense_and_transfer_empty_the_clearing_account(accounting_sandbox):
    token = accounting_sandbox.connect("quickbooks")["access_token"]
    ids = _qbo_accounts(accounting_sandbox, token)
    purchase = {
        "PaymentType": "Cash",
        "AccountRef": {"value": ids["Stripe Clearing"]},
        "TxnDate": "2026-05-04",
        "Line": [
            {
                "Amount": 3.2,
                "DetailType": "AccountBasedExpenseLineDetail",
                "Description": "Stripe fees",
                "AccountBasedExpenseLineDetail": {"AccountRef": {"value": ids["Bank Charges"]}},
            }
        ],
    }
    status, _, body = qbo(accounting_sandbox, token, "POST", "purchase", purchase)
    assert status == 200, body
    transfer = {
        "FromAccountRef": {"value": ids["Stripe Clearing"]},
        "ToAccountRef": {"value": ids["Checking"]},
        "Amount": 96.8,
        "TxnDate": "2026-05-04",
    }
    status, _, body = qbo(accounting_sandbox, token, "POST", "transfer", transfer)
    assert status == 200, body
    balances = _qbo_balances(accounting_sandbox)
    assert balances["Stripe Clearing"] == Decimal("-100.00")
    assert balances["Checking"] == Decimal("96.80") and balances["Bank Charges"] == Decimal("3.20")
    assert accounting_sandbox.violations() == []


def test_quickbooks_refuses_a_transfer_to_an_expense_or_an_expense_from_income(accounting_sandbox):
    token = accounting_sandbox.connect("quickbooks")["access_token"]
    ids = _qbo_accounts(accounting_sandbox, token)
    transfer = {
        "FromAccountRef": {"value": ids["Stripe Clearing"]},
        "ToAccountRef": {"value": ids["Bank Charges"]},
        "Amount": 5,
    }
    status, _, body = qbo(accounting_sandbox, token, "POST", "transfer", transfer)
    assert status == 400
    assert "can't be used in a transfer" in body["Fault"]["Error"][0]["Detail"]
    purchase = {
        "PaymentType": "Check",
        "AccountRef": {"value": ids["Undeposited Funds"]},
        "Line": [
            {
                "Amount": 1,
                "DetailType": "AccountBasedExpenseLineDetail",
                "AccountBasedExpenseLineDetail": {"AccountRef": {"value": ids["Bank Charges"]}},
            }
        ],
    }
    status, _, body = qbo(accounting_sandbox, token, "POST", "purchase", purchase)
    assert status == 400
    assert "can't pay a Check expense" in body["Fault"]["Error"][0]["Detail"]
