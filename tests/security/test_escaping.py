"""HTML and script typed into any user-editable field is shown as text, never run: on the
firm's pages and on the client's invoice page. Each field gets its own marker so a leak
names the field."""

import re

import pytest
from django.test import Client

from firmpay.clients.models import Client as ClientRecord
from firmpay.invoices.links import invoice_link_path
from firmpay.invoices.models import ManualPayment
from firmpay.invoices.services import invoice_send
from firmpay.invoices.tests.builders import invoice_build, line
from firmpay.reminders.models import ReminderPolicy, ReminderStep
from firmpay.tenancy.tests.factories import client_for, make_firm, make_member, make_owner

pytestmark = pytest.mark.django_db


def payload(field: str) -> str:
    return f'"><script>alert("{field}")</script><img src=x onerror=alert("{field}")>'


FIELDS = [
    "firm-name", "bank-details", "client-name", "client-address", "client-city",
    "line-description", "invoice-notes", "payment-reference", "member-name",
    "reminder-subject", "reminder-body",
]  # fmt: skip


@pytest.fixture
def world():
    firm = make_firm(name=payload("firm-name"), plan="pro")
    firm.bank_details = payload("bank-details")
    firm.save()
    owner = make_owner(firm)
    owner.name = payload("member-name")[:150]
    owner.save()
    make_member(firm)
    client = ClientRecord.objects.create(
        firm=firm, name=payload("client-name"), email="client@example.test",
        address_line1=payload("client-address")[:200], city=payload("client-city")[:100],
    )  # fmt: skip
    invoice = invoice_build(
        firm=firm, client=client, lines=[line(description=payload("line-description"))],
        notes=payload("invoice-notes"),
    )  # fmt: skip
    invoice_send(invoice=invoice)
    invoice.draft = invoice_build(
        firm=firm, client=client, lines=[line(description=payload("line-description"))],
        notes=payload("invoice-notes"),
    )  # fmt: skip
    ManualPayment.objects.create(
        firm=firm, invoice=invoice, method="bank_transfer", amount=100, currency="USD",
        received_on=invoice.issue_date, reference=payload("payment-reference")[:200],
    )  # fmt: skip
    policy, _ = ReminderPolicy.objects.get_or_create(firm=firm)
    ReminderStep.objects.create(
        policy=policy, offset_days=3, subject=payload("reminder-subject")[:200],
        body=payload("reminder-body"),
    )  # fmt: skip
    return firm, owner, client, invoice


def assert_inert(html: str, page: str) -> None:
    leaked = re.findall(r'<script>alert\("([\w-]+)"\)|<img src=x onerror=alert\("([\w-]+)"\)', html)
    assert not leaked, f"{page} renders markup from {sorted({a or b for a, b in leaked})}"


FIRM_PAGES = [
    "/invoices/", "/invoices/{invoice}/", "/invoices/{draft}/edit/", "/invoices/{draft}/", "/clients/",
    "/clients/{client}/edit/", "/settings/firm/", "/settings/members/", "/settings/audit/",
    "/reminders/", "/reminders/policy/", "/reminders/invoices/{invoice}/", "/payments/",
    "/settings/integrations/",
]  # fmt: skip


@pytest.mark.parametrize("path", FIRM_PAGES)
def test_firm_pages_show_user_input_as_text(world, path):
    firm, owner, client, invoice = world
    response = client_for(owner, firm).get(
        path.format(invoice=invoice.pk, draft=invoice.draft.pk, client=client.pk)
    )
    assert response.status_code == 200, path
    html = response.content.decode()
    assert_inert(html, path)


def test_the_payloads_are_on_the_pages_escaped(world):
    firm, owner, client, invoice = world
    html = client_for(owner, firm).get(f"/invoices/{invoice.pk}/").content.decode()
    assert "&lt;script&gt;alert(&quot;line-description&quot;)&lt;/script&gt;" in html
    assert "&lt;script&gt;alert(&quot;client-name&quot;)" in html


def test_the_client_page_shows_user_input_as_text(world):
    firm, owner, client, invoice = world
    response = Client().get(invoice_link_path(invoice))
    assert response.status_code == 200
    html = response.content.decode()
    assert_inert(html, "client invoice page")
    for field in ("firm-name", "client-name", "line-description", "invoice-notes", "bank-details"):
        assert f"alert(&quot;{field}&quot;)" in html, f"{field} should be on the client page"
