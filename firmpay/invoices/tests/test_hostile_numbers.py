"""Numbers Python half-accepts, posted to the invoice pages (issue 19, finding 3): a form
error or a page without the bad value, never a 500, nothing saved."""

import pytest
from django.urls import reverse

from firmpay.clients.tests.builders import client_build, firm_build, member_build
from firmpay.invoices.models import Invoice, ManualPayment
from firmpay.invoices.services import invoice_send
from firmpay.invoices.tests.builders import invoice_build, line
from firmpay.invoices.tests.test_pages import form_data
from firmpay.tenancy.models import Role

pytestmark = pytest.mark.django_db

HOSTILE = ["1e999999", "²", "٣", "9" * 10_000, "NaN", "-1", ""]


@pytest.fixture
def firm():
    return firm_build(default_currency="USD", payment_terms_days=30)


@pytest.fixture
def acme(firm):
    return client_build(firm=firm, name="Acme Ltd")


@pytest.fixture
def staff(client, firm):
    client.force_login(member_build(firm=firm, role=Role.STAFF))
    return client


def one_line(**values):
    return [
        {"description": "Bookkeeping", "quantity": "1", "unit_price": "10", "tax_rate": "0"}
        | values
    ]


@pytest.mark.parametrize("field", ["unit_price", "quantity", "tax_rate"])
@pytest.mark.parametrize("value", HOSTILE[:-1])
def test_hostile_line_numbers_are_form_errors(staff, acme, field, value):
    response = staff.post(
        reverse("invoices:create"), form_data(acme.pk, one_line(**{field: value}))
    )

    assert response.status_code == 200
    assert not Invoice.objects.exists()


@pytest.mark.parametrize("total", ["abc", "²", "-1", "9" * 10_000, ""])
def test_add_line_with_a_hostile_form_count_shows_the_form(staff, acme, total):
    data = form_data(acme.pk, one_line()) | {"lines-TOTAL_FORMS": total, "add_line": "1"}

    response = staff.post(reverse("invoices:create"), data)

    assert response.status_code == 200
    assert not Invoice.objects.exists()


@pytest.mark.parametrize("client_id", ["²", "٣", "9" * 30, "-1", "abc"])
def test_new_invoice_for_a_hostile_client_id_shows_an_empty_form(staff, client_id):
    assert staff.get(reverse("invoices:create"), {"client": client_id}).status_code == 200


@pytest.mark.parametrize("amount", HOSTILE)
def test_hostile_manual_payment_amounts_record_nothing(staff, firm, acme, amount):
    invoice = invoice_send(invoice=invoice_build(firm=firm, client=acme, lines=[line()]))

    response = staff.post(
        reverse("invoices:payment_record", args=[invoice.pk]),
        {"amount": amount, "method": "cash", "received_on": "2026-03-05"},
    )

    assert response.status_code == 200
    assert not ManualPayment.objects.exists()


@pytest.mark.parametrize("value", ["²", "9" * 30, "-1", "1e3"])
def test_hostile_list_cursors_show_the_list(staff, value):
    for name in ("before", "after"):
        assert staff.get(reverse("invoices:list"), {name: value}).status_code == 200
