"""`request_problems`: the vendors' definitions applied to any request, sandbox or not."""

from __future__ import annotations

from accounting_sandbox.validate import request_problems


def test_a_xero_payment_batch_as_documented_has_no_problems():
    body = {
        "Payments": [
            {
                "Invoice": {"InvoiceID": "8f7e2b1c-0000-4000-8000-000000000001"},
                "Account": {"Code": "090"},
                "Date": "2026-05-02",
                "Amount": 123.45,
                "Reference": "pi_1",
            }
        ]
    }
    assert (
        request_problems(
            "PUT", "https://api.xero.com/api.xro/2.0/Payments?summarizeErrors=false", body
        )
        == []
    )


def test_a_xero_field_the_schema_lacks_is_a_problem():
    problems = request_problems(
        "PUT",
        "https://api.xero.com/api.xro/2.0/Contacts",
        b'{"Contacts": [{"Name": "A", "Email": "a@b.test"}]}',
    )
    assert [str(p) for p in problems] == ["body.Contacts[0].Email: not a property of this schema"]


def test_xero_connections_filter_must_be_a_uuid():
    assert request_problems("GET", "https://api.xero.com/connections?authEventId=nope")


def test_a_quickbooks_invoice_is_checked_against_the_xsd():
    good = {
        "CustomerRef": {"value": "1"},
        "Line": [
            {
                "DetailType": "SalesItemLineDetail",
                "Amount": 10,
                "SalesItemLineDetail": {"ItemRef": {"value": "2"}, "TaxCodeRef": {"value": "3"}},
            }
        ],
    }
    url = "https://quickbooks.api.intuit.com/v3/company/123/invoice?minorversion=75&requestid=x"
    assert request_problems("POST", url, good) == []
    bad = {**good, "TotalTax": 2}
    assert [p.path for p in request_problems("POST", url, bad)] == ["Invoice.TotalTax"]


def test_a_quickbooks_query_string_is_not_a_body():
    url = "https://quickbooks.api.intuit.com/v3/company/123/query?query=select+*+from+Account&minorversion=75"
    assert request_problems("GET", url) == []
