"""The control API and the sandbox's own ledger pages."""

from __future__ import annotations

from accounting_sandbox.pytest_plugin import http
from accounting_sandbox.tests.helpers import xero


def test_the_index_lists_every_ledger_under_a_sandbox_banner(accounting_sandbox):
    status, _, body = http("GET", accounting_sandbox.base_url + "/")
    assert status == 200
    assert b"Accounting sandbox" in body and b"test data only" in body
    assert b"Demo &amp; Co Accountants UK Ltd" in body and b"Demo &amp; Co Accountants (UK)" in body


def test_a_payment_shows_once_on_the_xero_ledger_page(accounting_sandbox):
    token = accounting_sandbox.connect("xero")["access_token"]
    _, _, found = xero(
        accounting_sandbox,
        token,
        "GET",
        "Contacts",
        query={"where": 'EmailAddress=="ap@acme-hardware.test"'},
    )
    contact = found["Contacts"][0]["ContactID"]
    _, _, made = xero(
        accounting_sandbox,
        token,
        "PUT",
        "Invoices",
        {
            "Invoices": [
                {
                    "Type": "ACCREC",
                    "Contact": {"ContactID": contact},
                    "InvoiceNumber": "FP-77",
                    "DueDate": "2026-06-30",
                    "Status": "AUTHORISED",
                    "LineItems": [
                        {
                            "Description": "Audit",
                            "Quantity": 1,
                            "UnitAmount": 300,
                            "AccountCode": "200",
                        }
                    ],
                }
            ]
        },
    )
    invoice = made["Invoices"][0]
    xero(
        accounting_sandbox,
        token,
        "PUT",
        "Payments",
        {
            "Payments": [
                {
                    "Invoice": {"InvoiceID": invoice["InvoiceID"]},
                    "Account": {"Code": "091"},
                    "Amount": invoice["Total"],
                    "Reference": "pi_demo",
                }
            ]
        },
    )
    _, _, page = http(
        "GET", f"{accounting_sandbox.base_url}/ledger/xero/{accounting_sandbox.xero_us}"
    )
    text = page.decode()
    assert text.count("Acme Hardware LLC") == 2  # the contact, and the invoice's contact
    assert text.count("pi_demo") == 1 and "FP-77" in text and "PAID" in text


def test_seeding_a_ledger_with_existing_books(accounting_sandbox):
    tenant = accounting_sandbox.xero_uk
    out = accounting_sandbox.control(
        "POST",
        f"xero/organisations/{tenant}/seed",
        {
            "contacts": [
                {"Name": "Existing Client Ltd", "EmailAddress": "ec@x.test", "ContactNumber": "EC1"}
            ],
            "invoices": [
                {
                    "Contact": {"Name": "Existing Client Ltd"},
                    "InvoiceNumber": "FP-0001",
                    "Status": "AUTHORISED",
                    "Date": "2026-01-02",
                    "DueDate": "2026-02-01",
                    "LineItems": [
                        {
                            "Description": "Tax return",
                            "Quantity": 1,
                            "UnitAmount": 90,
                            "AccountCode": "200",
                        }
                    ],
                }
            ],
        },
    )
    assert out["invoices"][0]["Total"] == 108.0  # 20% VAT from the Sales account's default
    ledger = accounting_sandbox.control("GET", f"xero/organisations/{tenant}/ledger")
    assert "FP-0001" in {i["InvoiceNumber"] for i in ledger["invoices"]}


def test_a_quickbooks_seed_with_a_taken_name_is_refused(accounting_sandbox):
    status, _, body = http(
        "POST",
        f"{accounting_sandbox.base_url}/_sandbox/quickbooks/companies/"
        f"{accounting_sandbox.qbo_us}/seed",
        data=b'{"customers": [{"DisplayName": "Acme Hardware LLC"}]}',
        headers={"Content-Type": "application/json"},
    )
    assert status == 400 and b"6240" in body


def test_new_companies_per_country(accounting_sandbox):
    company = accounting_sandbox.control(
        "POST",
        "quickbooks/companies",
        {"realm": "123", "name": "Maple Books", "country": "CA", "currency": "CAD"},
    )
    assert company["Country"] == "CA"
    ledger = accounting_sandbox.control("GET", "quickbooks/companies/123/ledger")
    assert {c["Name"] for c in ledger["tax_codes"]} == {"GST", "HST ON", "Exempt"}


def test_config_refuses_unknown_settings(accounting_sandbox):
    status, _, body = http(
        "POST",
        f"{accounting_sandbox.base_url}/_sandbox/config",
        data=b'{"colour": 1}',
        headers={"Content-Type": "application/json"},
    )
    assert status == 400 and b"unknown setting colour" in body


def test_reset_forgets_and_reseeds(accounting_sandbox):
    accounting_sandbox.control("POST", "xero/organisations", {"name": "Temporary Ltd"})
    accounting_sandbox.advance(days=3)
    accounting_sandbox.control("POST", "reset")
    names = {
        o["Name"] for o in accounting_sandbox.control("GET", "xero/organisations")["organisations"]
    }
    assert "Temporary Ltd" not in names and len(names) == 2
    assert accounting_sandbox.control("GET", "clock")["offset"] == 0


def test_state_survives_a_restart(tmp_path):
    from accounting_sandbox.config import Config
    from accounting_sandbox.sandbox import Sandbox

    path = str(tmp_path / "sb.sqlite3")
    first = Sandbox(Config(port=0, data=path))
    first.store.put("xero", "", "marker", "m", {"kept": True})
    first.advance(3600)
    first.stop()
    second = Sandbox(Config(port=0, data=path))
    assert second.store.get("xero", "", "marker", "m") == {"kept": True}
    assert second.clock.offset == 3600
    assert len(second.store.all("xero", "", "org")) == 2  # seeded once, not twice
    second.stop()
