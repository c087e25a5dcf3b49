"""Test steps that read like the product: connect through the views, send, pay, drain."""

from __future__ import annotations

import datetime
from urllib.parse import parse_qs, urlparse

from django.urls import reverse

from firmpay.accounting.models import AccountingConnection, SyncItem, SyncStatus
from firmpay.accounting.services import sync_item_process
from firmpay.clients.services import client_create
from firmpay.invoices.services import invoice_record_manual_payment, invoice_send
from firmpay.invoices.tests.builders import invoice_build, line

SETUP = "/settings/integrations/accounting/setup/"


def start_oauth(browser_client, vendor: str) -> dict:
    response = browser_client.post(reverse(f"accounting:{vendor}_connect"))
    assert response.status_code == 302, response
    query = parse_qs(urlparse(response["Location"]).query)
    return {key: values[0] for key, values in query.items()}


def connect_xero(
    browser_client, xero, *, tenant: int = 0, bank_code="090", **extra
) -> AccountingConnection:
    """Through the views; `extra` adds fields to the accounts form (tax_code, tax_code_zero,
    invoice_prefix)."""
    params = start_oauth(browser_client, "xero")
    code = xero.oauth.issue_code()
    response = browser_client.get(
        reverse("accounting:xero_callback"), {"code": code, "state": params["state"]}
    )
    if response["Location"].endswith("/settings/integrations/"):
        return AccountingConnection.objects.filter(status="connected", vendor="xero").latest(
            "updated_at"
        )
    assert response["Location"] == SETUP, response["Location"]
    browser_client.post(SETUP, {"org_id": xero.tenants[tenant]["id"]})
    tenant_id = xero.tenants[tenant]["id"]
    response = browser_client.post(
        SETUP,
        {
            "payment_account": xero.account(bank_code, tenant_id)["AccountID"],
            "income_account": xero.account("200", tenant_id)["AccountID"],
            **extra,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return (
        AccountingConnection.objects.exclude(status="disconnected")
        .filter(vendor="xero")
        .latest("updated_at")
    )


def connect_quickbooks(browser_client, qbo, **extra) -> AccountingConnection:
    params = start_oauth(browser_client, "quickbooks")
    code = qbo.oauth.issue_code()
    response = browser_client.get(
        reverse("accounting:quickbooks_callback"),
        {"code": code, "state": params["state"], "realmId": qbo.realm},
    )
    if response["Location"].endswith("/settings/integrations/"):
        return AccountingConnection.objects.filter(status="connected", vendor="quickbooks").latest(
            "updated_at"
        )
    assert response["Location"] == SETUP
    response = browser_client.post(SETUP, {"payment_account": "4", "income_account": "79", **extra})
    assert response.status_code == 302, response.content.decode()[:2000]
    return (
        AccountingConnection.objects.exclude(status="disconnected")
        .filter(vendor="quickbooks")
        .latest("updated_at")
    )


def sent_invoice(firm, *, name="Hollis & Daughters", amount=12345, tax_rate="20", email=""):
    email = email or f"accounts@{name.split()[0].lower()}.test"
    client = client_create(firm=firm, name=name, email=email)
    invoice = invoice_build(
        firm=firm,
        client=client,
        lines=[line("Year-end accounts", "1", amount, tax_rate), line("Payroll", "2.5", 4000)],
    )
    return invoice_send(invoice=invoice)


def pay(invoice, amount=None):
    invoice.refresh_from_db()
    return invoice_record_manual_payment(
        invoice=invoice,
        amount=amount or invoice.amount_due,
        method="bank_transfer",
        received_on=datetime.date(2026, 11, 20),
        reference="BACS 7781",
    )


def drain(max_rounds: int = 50, *, wait_up_to: float = 2.0) -> list[str]:
    """Process every due row, as the worker would, until none is due. Rows our own rate
    limiter put off for at most `wait_up_to` seconds (QuickBooks counts per second) are
    waited for."""
    import time

    from django.utils import timezone

    outcomes = []
    for _ in range(max_rounds):
        soon = timezone.now() + datetime.timedelta(seconds=wait_up_to)
        pending = SyncItem.objects.filter(status=SyncStatus.PENDING, next_attempt_at__lte=soon)
        first = pending.order_by("next_attempt_at").first()
        if first is None:
            break
        time.sleep(max(0.0, (first.next_attempt_at - timezone.now()).total_seconds()))
        due = list(
            SyncItem.objects.filter(
                status=SyncStatus.PENDING, next_attempt_at__lte=timezone.now()
            ).values_list("pk", flat=True)
        )
        outcomes += [sync_item_process(item_id=item_id) for item_id in due]
    return outcomes
