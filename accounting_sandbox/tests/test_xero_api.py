"""Xero's Accounting API rules Firmpay must live with."""

from __future__ import annotations

import pytest

from accounting_sandbox.tests.helpers import xero


@pytest.fixture
def token(accounting_sandbox):
    return accounting_sandbox.connect("xero", choose=[accounting_sandbox.xero_us])["access_token"]


def _contact(sb, token, **fields):
    status, _, body = xero(sb, token, "PUT", "Contacts", {"Contacts": [fields]})
    assert status == 200, body
    return body["Contacts"][0]


def _invoice(contact_id, number=None, amount=100, **extra):
    invoice = {
        "Type": "ACCREC",
        "Contact": {"ContactID": contact_id},
        "Date": "2026-05-01",
        "DueDate": "2026-05-31",
        "Status": "AUTHORISED",
        "LineAmountTypes": "Exclusive",
        "LineItems": [
            {"Description": "Advice", "Quantity": 1, "UnitAmount": amount, "AccountCode": "200"}
        ],
        **extra,
    }
    if number:
        invoice["InvoiceNumber"] = number
    return invoice


def test_a_second_active_contact_with_the_same_name_is_refused(accounting_sandbox, token):
    status, _, body = xero(
        accounting_sandbox, token, "PUT", "Contacts", {"Contacts": [{"Name": "acme hardware llc"}]}
    )
    assert status == 400
    assert body["Elements"][0]["ValidationErrors"][0]["Message"] == (
        "The contact name acme hardware llc is already assigned to another contact. "
        "The contact name must be unique across all active contacts."
    )


def test_an_archived_contact_frees_its_name(accounting_sandbox, token):
    old = _contact(accounting_sandbox, token, Name="Old Client")
    status, _, _ = xero(
        accounting_sandbox,
        token,
        "POST",
        f"Contacts/{old['ContactID']}",
        {"Contacts": [{"ContactStatus": "ARCHIVED"}]},
    )
    assert status == 200
    assert _contact(accounting_sandbox, token, Name="Old Client")["ContactID"] != old["ContactID"]


@pytest.mark.parametrize(
    "where",
    [
        'ContactNumber=="FP-C-7"',
        'EmailAddress=="new@client.test"',
        'Name.ToLower()=="new client ltd"',
    ],
)
def test_contacts_are_found_by_number_email_or_name(accounting_sandbox, token, where):
    made = _contact(
        accounting_sandbox,
        token,
        Name="New Client Ltd",
        EmailAddress="new@client.test",
        ContactNumber="FP-C-7",
    )
    status, _, body = xero(accounting_sandbox, token, "GET", "Contacts", query={"where": where})
    assert status == 200 and [c["ContactID"] for c in body["Contacts"]] == [made["ContactID"]]


def test_a_where_clause_xero_cannot_parse_is_a_400(accounting_sandbox, token):
    status, _, body = xero(
        accounting_sandbox, token, "GET", "Contacts", query={"where": "Name ~ 1"}
    )
    assert status == 400 and body["Type"] == "QueryParseException"


def test_invoice_numbers_are_unique_in_the_organisation(accounting_sandbox, token):
    contact = _contact(accounting_sandbox, token, Name="Numbered Ltd")
    status, _, body = xero(
        accounting_sandbox,
        token,
        "PUT",
        "Invoices",
        {"Invoices": [_invoice(contact["ContactID"], "INV-0002")]},
    )
    assert status == 400
    assert body["Elements"][0]["ValidationErrors"] == [{"Message": "Invoice # must be unique."}]


def test_an_invoice_without_number_takes_the_organisations_next(accounting_sandbox, token):
    contact = _contact(accounting_sandbox, token, Name="Unnumbered Ltd")
    _, _, body = xero(
        accounting_sandbox, token, "PUT", "Invoices", {"Invoices": [_invoice(contact["ContactID"])]}
    )
    assert body["Invoices"][0]["InvoiceNumber"] == "INV-0004"


def test_lines_without_tax_type_take_the_accounts_default(accounting_sandbox, token):
    contact = _contact(accounting_sandbox, token, Name="Taxed Inc")
    _, _, body = xero(
        accounting_sandbox,
        token,
        "PUT",
        "Invoices",
        {"Invoices": [_invoice(contact["ContactID"], "FP-1", 200)]},
    )
    line = body["Invoices"][0]["LineItems"][0]
    assert (line["TaxType"], line["TaxAmount"]) == ("TAX001", 17.75)
    assert body["Invoices"][0]["Total"] == 217.75


def test_an_unknown_tax_type_is_refused(accounting_sandbox, token):
    contact = _contact(accounting_sandbox, token, Name="Bad Tax Inc")
    invoice = _invoice(contact["ContactID"], "FP-2")
    invoice["LineItems"][0]["TaxType"] = "OUTPUT2"  # a UK rate, not in this US organisation
    status, _, body = xero(accounting_sandbox, token, "PUT", "Invoices", {"Invoices": [invoice]})
    assert (
        status == 400
        and "TaxType code 'OUTPUT2'" in body["Elements"][0]["ValidationErrors"][0]["Message"]
    )


def test_summarize_errors_false_saves_the_good_and_marks_the_bad(accounting_sandbox, token):
    contact = _contact(accounting_sandbox, token, Name="Batch Ltd")
    batch = [_invoice(contact["ContactID"], "FP-10"), _invoice(contact["ContactID"], "INV-0001")]
    status, _, body = xero(
        accounting_sandbox,
        token,
        "PUT",
        "Invoices",
        {"Invoices": batch},
        query={"summarizeErrors": "false"},
    )
    assert status == 200
    assert [i["StatusAttributeString"] for i in body["Invoices"]] == ["OK", "ERROR"]
    assert body["Invoices"][1]["HasErrors"] is True


def test_by_default_one_bad_element_fails_the_whole_batch(accounting_sandbox, token):
    contact = _contact(accounting_sandbox, token, Name="All Or Nothing Ltd")
    batch = [_invoice(contact["ContactID"], "FP-20"), _invoice(contact["ContactID"], "INV-0001")]
    assert xero(accounting_sandbox, token, "PUT", "Invoices", {"Invoices": batch})[0] == 400
    _, _, found = xero(
        accounting_sandbox, token, "GET", "Invoices", query={"InvoiceNumbers": "FP-20"}
    )
    assert found["Invoices"] == []


def test_more_than_50_elements_in_one_request_are_refused(accounting_sandbox, token):
    contact = _contact(accounting_sandbox, token, Name="Big Batch Ltd")
    batch = [_invoice(contact["ContactID"], f"FP-B{n}") for n in range(51)]
    assert xero(accounting_sandbox, token, "PUT", "Invoices", {"Invoices": batch})[0] == 400


def _authorised(sb, token, amount=100, number="FP-P1"):
    contact = _contact(sb, token, Name=f"Payer {number}")
    _, _, body = xero(
        sb,
        token,
        "PUT",
        "Invoices",
        {
            "Invoices": [
                _invoice(
                    contact["ContactID"],
                    number,
                    amount,
                    LineItems=[
                        {
                            "Description": "x",
                            "Quantity": 1,
                            "UnitAmount": amount,
                            "AccountCode": "200",
                            "TaxType": "NONE",
                        }
                    ],
                )
            ]
        },
    )
    return body["Invoices"][0]


def test_a_payment_pays_the_invoice_and_deleting_it_reopens_it(accounting_sandbox, token):
    invoice = _authorised(accounting_sandbox, token)
    payment = {
        "Invoice": {"InvoiceID": invoice["InvoiceID"]},
        "Account": {"Code": "090"},
        "Date": "2026-05-02",
        "Amount": 100.00,
        "Reference": "pi_1",
    }
    _, _, body = xero(accounting_sandbox, token, "PUT", "Payments", {"Payments": [payment]})
    assert body["Payments"][0]["Invoice"]["Status"] == "PAID"
    payment_id = body["Payments"][0]["PaymentID"]
    _, _, body = xero(
        accounting_sandbox, token, "POST", f"Payments/{payment_id}", {"Status": "DELETED"}
    )
    assert body["Payments"][0]["Status"] == "DELETED"
    _, _, again = xero(accounting_sandbox, token, "GET", f"Invoices/{invoice['InvoiceID']}")
    assert (again["Invoices"][0]["Status"], again["Invoices"][0]["AmountDue"]) == (
        "AUTHORISED",
        100.0,
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"Amount": 100.01}, "Payment amount exceeds the amount outstanding on this document"),
        ({"Account": {"Code": "200"}}, "Account type is invalid for making a payment to/from"),
    ],
)
def test_payments_xero_refuses(accounting_sandbox, token, change, message):
    invoice = _authorised(accounting_sandbox, token)
    payment = {
        "Invoice": {"InvoiceID": invoice["InvoiceID"]},
        "Account": {"Code": "090"},
        "Date": "2026-05-02",
        "Amount": 100.00,
        **change,
    }
    status, _, body = xero(accounting_sandbox, token, "PUT", "Payments", {"Payments": [payment]})
    assert status == 400 and body["Elements"][0]["ValidationErrors"][0]["Message"] == message


def test_a_repeated_idempotency_key_replays_the_first_answer(accounting_sandbox, token):
    body = {"Contacts": [{"Name": "Once Only Ltd"}]}
    first = xero(
        accounting_sandbox, token, "PUT", "Contacts", body, headers={"Idempotency-Key": "c-1"}
    )
    second = xero(
        accounting_sandbox, token, "PUT", "Contacts", body, headers={"Idempotency-Key": "c-1"}
    )
    assert first[0] == second[0] == 200 and first[2] == second[2]
    other = xero(
        accounting_sandbox,
        token,
        "PUT",
        "Contacts",
        {"Contacts": [{"Name": "Else"}]},
        headers={"Idempotency-Key": "c-1"},
    )
    assert other[0] == 400


def test_a_call_outside_the_granted_scopes_is_unauthorised(accounting_sandbox):
    token = accounting_sandbox.connect("xero", scope="openid offline_access accounting.contacts")[
        "access_token"
    ]
    status, _, body = xero(accounting_sandbox, token, "GET", "Invoices")
    assert status == 401 and body["Detail"] == "AuthorizationUnsuccessful"


def test_an_organisation_not_connected_is_forbidden(accounting_sandbox, token):
    org = accounting_sandbox.control("POST", "xero/organisations", {"name": "Elsewhere Ltd"})
    assert xero(accounting_sandbox, token, "GET", "Organisation", tenant=org["tenantId"])[0] == 403


def test_a_request_that_does_not_match_the_schema_is_refused_and_recorded(
    accounting_sandbox, token
):
    status, _, body = xero(
        accounting_sandbox,
        token,
        "PUT",
        "Contacts",
        {"Contacts": [{"Name": "Typo Ltd", "Emailaddress": "x@y.test"}]},
    )
    assert status == 400 and body["Type"] == "PostDataInvalidException"
    assert accounting_sandbox.violations()[0]["problems"] == [
        "Contacts.Contacts[0].Emailaddress: not a property of this schema"
    ]


def test_a_query_parameter_the_operation_does_not_define_is_refused(accounting_sandbox, token):
    status, _, body = xero(accounting_sandbox, token, "GET", "Accounts", query={"page": "1"})
    assert status == 400 and body["Type"] == "ValidationException"
    status, _, body = xero(
        accounting_sandbox,
        token,
        "PUT",
        "Contacts",
        {"Contacts": [{"Name": "Q Ltd"}]},
        query={"summarizeErrors": "no"},
    )
    assert status == 400 and "not a boolean" in body["Message"]


def test_contacts_can_be_ordered(accounting_sandbox, token):
    _, _, body = xero(accounting_sandbox, token, "GET", "Contacts", query={"order": "Name DESC"})
    assert [c["Name"] for c in body["Contacts"]] == ["Northwind Traders", "Acme Hardware LLC"]
