"""Every input of the invoice form has a label (the line inputs had none), and the client
picker asks for a client in words (issue 18, point 7)."""

import re

import pytest

from firmpay.clients.tests.builders import client_build, member_build
from firmpay.tenancy.models import Role
from firmpay.tenancy.tests.factories import make_firm

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(client):
    firm = make_firm(name="Ledger & Sons")
    client_build(firm=firm, name="Acme Ltd")
    client.force_login(member_build(firm=firm, role=Role.STAFF))
    return client.get("/invoices/new/").content.decode()


def test_every_visible_input_of_the_invoice_form_is_labelled(page):
    form = page[page.index('id="invoice-form"') :]
    controls = re.findall(r"<(?:input|select|textarea)\b[^>]*>", form)
    ids = [
        re.search(r'id="([^"]+)"', tag).group(1) for tag in controls if 'type="hidden"' not in tag
    ]
    assert "id_lines-0-description" in ids and "id_lines-0-DELETE" in ids
    unlabelled = [i for i in ids if f'<label for="{i}"' not in form and f'for="{i}">' not in form]
    assert unlabelled == []
    assert (
        '<label class="visually-hidden" for="id_lines-0-unit_price">Unit price, line 1</label>'
        in form
    )


def test_the_client_picker_asks_for_a_client(page):
    assert '<option value="" selected>Choose a client</option>' in page
    assert "Select an option" not in page
