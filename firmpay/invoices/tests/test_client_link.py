import pytest
from django.template.loader import get_template
from django.template.loader_tags import BlockNode
from django.urls import reverse

from firmpay.clients.tests.builders import client_build, firm_build
from firmpay.core.models import AuditRecord
from firmpay.invoices.links import invoice_link_path, link_sign
from firmpay.invoices.services import (
    invoice_link_revoke,
    invoice_record_manual_payment,
    invoice_send,
    invoice_void,
)
from firmpay.invoices.tests.builders import invoice_build, line

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice():
    firm = firm_build(name="Ledger & Sons", bank_details="Sort code 12-34-56\nAccount 12345678")
    client = client_build(firm=firm, name="Acme Ltd")
    invoice = invoice_build(
        firm=firm, client=client, lines=[line("Year-end accounts", "1", 150000)]
    )
    return invoice_send(invoice=invoice)


def test_the_client_opens_the_invoice_without_logging_in(client, invoice):
    response = client.get(invoice_link_path(invoice))
    assert response.status_code == 200
    body = response.content.decode()
    for text in ("Ledger &amp; Sons", invoice.number, "Year-end accounts", "$1,500.00"):
        assert text in body
    assert "Sort code 12-34-56" in body
    assert response["Referrer-Policy"] == "no-referrer"


def test_a_tampered_link_is_404(client, invoice):
    path = invoice_link_path(invoice)
    tampered = path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:]
    assert client.get(tampered).status_code == 404
    # A correctly signed token that no invoice carries is a 404 too.
    assert client.get(reverse("invoice_link:show", args=[link_sign("guess")])).status_code == 404
    # The raw token without its signature is refused.
    assert client.get(f"/i/{invoice.link_token}/").status_code == 404


def test_revoking_makes_the_old_link_404_and_the_new_one_work(client, invoice):
    old_path = invoice_link_path(invoice)
    invoice_link_revoke(invoice=invoice)
    assert client.get(old_path).status_code == 404
    assert client.get(invoice_link_path(invoice)).status_code == 200
    assert invoice.link_revoked_at is not None
    assert AuditRecord.objects.filter(action="invoice.link_revoke").count() == 1


def test_a_draft_has_no_client_page(client):
    firm = firm_build()
    draft = invoice_build(firm=firm, client=client_build(firm=firm))
    assert client.get(invoice_link_path(draft)).status_code == 404


def test_the_page_shows_paid_and_void_states(client, invoice):
    invoice_record_manual_payment(
        invoice=invoice, amount=invoice.total, method="cheque", received_on=invoice.issue_date
    )
    body = client.get(invoice_link_path(invoice)).content.decode()
    assert 'data-status="paid"' in body and "Paid in full" in body
    firm = invoice.firm
    other = invoice_send(invoice=invoice_build(firm=firm, client=invoice.client))
    invoice_void(invoice=other)
    assert "has been voided" in client.get(invoice_link_path(other)).content.decode()


def test_the_page_leaves_a_block_for_the_pay_button():
    template = get_template("invoices/public.html").template
    assert "pay" in {node.name for node in template.nodelist.get_nodes_by_type(BlockNode)}
