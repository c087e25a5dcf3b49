"""Single-line fields (issue 19, finding 4): firm name, client name and people's names refuse
line breaks and control characters at the form."""

import pytest
from django.urls import reverse

from firmpay.clients.models import Client
from firmpay.core.text import SINGLE_LINE_MESSAGE, one_line
from firmpay.tenancy.models import Firm
from firmpay.tenancy.tests.factories import client_for, make_firm, make_owner

pytestmark = pytest.mark.django_db

BREAKING = [
    "Smith\nBcc: x@y.test",
    "Smith\r\nCo",
    "Smith\x85Co",
    "Smith\u2028Co",
    "A\tB",
]


@pytest.mark.parametrize("name", BREAKING)
def test_the_firm_name_refuses_line_breaks(name):
    firm = make_firm()
    client = client_for(make_owner(firm), firm)

    response = client.post(
        reverse("tenancy:firm_settings"),
        {
            "name": name,
            "email": "",
            "country": "US",
            "default_currency": "USD",
            "timezone": "UTC",
            "payment_terms_days": "30",
            "bank_details": "",
        },
    )

    assert response.status_code == 200
    assert (
        SINGLE_LINE_MESSAGE in response.content.decode()
        or "Null characters" in response.content.decode()
    )
    assert Firm.objects.get(pk=firm.pk).name == firm.name


@pytest.mark.parametrize("name", BREAKING)
def test_the_client_name_refuses_line_breaks(name):
    firm = make_firm()
    client = client_for(make_owner(firm), firm)

    response = client.post(
        reverse("clients:create"), {"name": name, "email": "ap@acme.test", "currency": "USD"}
    )

    assert response.status_code == 200
    assert not Client.objects.filter(firm=firm).exists()


@pytest.mark.parametrize("name", BREAKING)
def test_sign_up_refuses_line_breaks_in_the_firm_and_person_names(client, name):
    for field in ("firm_name", "name"):
        data = {
            "name": "Ann",
            "email": f"ann{len(field)}@firm.test",
            "password": "a-long-password-2026",
            "firm_name": "Smith & Co",
            "country": "US",
            "default_currency": "USD",
            "timezone": "UTC",
        } | {field: name}
        response = client.post(reverse("tenancy:signup"), data)
        assert response.status_code == 200
        assert not Firm.objects.exists()


def test_one_line_folds_breaks_into_spaces():
    assert one_line("Smith\r\n & Co\u2028Ltd") == "Smith & Co Ltd"
