import pytest
from django.http import Http404

from firmpay.clients.models import Client
from firmpay.clients.selectors import client_get, client_list
from firmpay.clients.services import client_archive, client_restore, client_update
from firmpay.clients.tests.builders import client_build, firm_build

pytestmark = pytest.mark.django_db


def test_new_client_takes_the_firms_currency_unless_given():
    firm = firm_build(default_currency="GBP")
    assert client_build(firm=firm).currency == "GBP"
    assert client_build(firm=firm, currency="JPY").currency == "JPY"


def test_search_matches_name_or_email_case_insensitively():
    firm = firm_build()
    acme = client_build(firm=firm, name="Acme Ltd", email="books@acme.test")
    client_build(firm=firm, name="Bright Co", email="hi@bright.test")
    assert list(client_list(firm=firm, search="acme")) == [acme]
    assert list(client_list(firm=firm, search="BOOKS@")) == [acme]


def test_archived_clients_leave_the_list_until_asked_for():
    firm = firm_build()
    client = client_build(firm=firm)
    client_archive(client=client)
    assert list(client_list(firm=firm)) == []
    assert list(client_list(firm=firm, include_archived=True)) == [client]
    client_restore(client=client)
    assert list(client_list(firm=firm)) == [client]


def test_client_list_never_shows_another_firms_clients():
    firm, other = firm_build(), firm_build()
    mine = client_build(firm=firm, name="Same name")
    client_build(firm=other, name="Same name")
    assert list(client_list(firm=firm, search="same")) == [mine]


def test_client_get_is_404_for_another_firms_client():
    firm, other = firm_build(), firm_build()
    theirs = client_build(firm=other)
    with pytest.raises(Http404):
        client_get(firm=firm, client_id=theirs.pk)


def test_client_update_refuses_fields_it_does_not_own():
    client = client_build(firm=firm_build())
    with pytest.raises(TypeError):
        client_update(client=client, firm_id=123)
    client_update(client=client, name="Renamed", reminders_opt_out=True)
    client.refresh_from_db()
    assert (client.name, client.reminders_opt_out) == ("Renamed", True)
    assert Client.objects.count() == 1
