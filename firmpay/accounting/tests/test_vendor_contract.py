"""What Firmpay sends to Xero and QuickBooks matches the vendors' own definitions: every
request of the run is collected (vendor_collector.py) and checked; here the check itself is
shown to catch what the vendors would refuse, and the run so far has no violation."""

import httpx
import pytest

from firmpay.accounting.tests import vendor_contract
from firmpay.accounting.tests.flows import connect_xero, drain, pay
from firmpay.accounting.tests.flows import sent_invoice as send

pytestmark = pytest.mark.django_db


def _problems(accounting_settings, method, url, **kwargs) -> list[str]:
    collected: list[vendor_contract.Sent] = []
    vendor_contract.record(httpx.Request(method, url, **kwargs), collected)
    (sent,) = collected
    return sent.problems


def test_a_misspelt_xero_field_is_a_violation(accounting_settings):
    problems = _problems(
        accounting_settings,
        "PUT",
        "https://api.xero.com/api.xro/2.0/Contacts",
        headers={"Xero-Tenant-Id": "t"},
        json={"Contacts": [{"Nmae": "Hollis"}]},
    )
    assert any("Nmae" in problem for problem in problems)


def test_an_unknown_xero_query_parameter_is_a_violation(accounting_settings):
    problems = _problems(
        accounting_settings,
        "GET",
        "https://api.xero.com/api.xro/2.0/Invoices?InvoiceNumber=FP-1",
        headers={"Xero-Tenant-Id": "t"},
    )
    assert problems == ["?InvoiceNumber: not a query parameter of this operation"]


def test_a_quickbooks_line_field_outside_the_xsd_is_a_violation(accounting_settings):
    problems = _problems(
        accounting_settings,
        "POST",
        "https://quickbooks.api.intuit.com/v3/company/123/invoice?minorversion=75",
        json={"CustomerRef": {"value": "1"}, "Line": [{"Amount": 1, "TaxCode": "3"}]},
    )
    assert any("TaxCode" in problem for problem in problems)


def test_xero_and_quickbooks_flows_send_nothing_the_definitions_refuse(
    owner_client, firm, xero, qbo, vendor_requests
):
    start = len(vendor_requests)
    connect_xero(owner_client, xero, tax_code="OUTPUT2", tax_code_zero="ZERORATEDOUTPUT")
    pay(send(firm))
    drain()

    mine = vendor_requests[start:]
    assert {sent.kind for sent in mine} >= {"token", "identity", "api"}
    assert [str(sent) for sent in mine if sent.problems] == []


def test_every_request_the_suite_sent_so_far_matches_the_definitions(vendor_requests):
    assert [str(sent) for sent in vendor_requests if sent.problems] == []
