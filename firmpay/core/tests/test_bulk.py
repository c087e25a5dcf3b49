"""rows_update: different values on many rows by id, in one prepared statement."""

from __future__ import annotations

import datetime

from firmpay.clients.models import Client
from firmpay.clients.services import client_create
from firmpay.core.bulk import rows_update


def test_each_row_gets_its_own_values_and_the_others_are_untouched(firm):
    a, b, c = (client_create(firm=firm, name=n, email=f"{n}@x.test") for n in "abc")
    rows_update(
        model=Client,
        rows={a.pk: {"name": "Ann", "email": "ann@x.test"}, b.pk: {"name": "Bo", "email": ""}},
    )
    assert {cl.pk: (cl.name, cl.email) for cl in Client.objects.all()} == {
        a.pk: ("Ann", "ann@x.test"),
        b.pk: ("Bo", ""),
        c.pk: ("c", "c@x.test"),
    }


def test_values_are_prepared_as_their_field_stores_them(firm):
    client = client_create(firm=firm, name="a", email="a@x.test")
    moment = datetime.datetime(2026, 3, 1, 22, 30, tzinfo=datetime.UTC)
    rows_update(model=Client, rows={client.pk: {"created_at": moment}})
    client.refresh_from_db()
    assert client.created_at == moment
