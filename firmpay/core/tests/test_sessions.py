"""The session store reads a session only under its key and only before it expires."""

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from firmpay.core.sessions import SessionStore

pytestmark = pytest.mark.django_db


def _saved(**data) -> SessionStore:
    session = SessionStore()
    session.update(data)
    session.save()
    return session


def test_a_saved_session_loads_its_data():
    key = _saved(firm_id=7, note="ünïcode").session_key
    loaded = SessionStore(key)
    assert (loaded["firm_id"], loaded["note"]) == (7, "ünïcode")
    assert loaded.session_key == key


def test_an_expired_session_loads_empty_and_gets_a_new_key():
    key = _saved(firm_id=7).session_key
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    loaded = SessionStore(key)
    assert dict(loaded.items()) == {}
    loaded["firm_id"] = 8
    loaded.save()
    assert loaded.session_key != key


def test_an_unknown_key_loads_empty():
    assert dict(SessionStore("x" * 32).items()) == {}
    assert dict(SessionStore(None).items()) == {}


def test_an_expired_session_is_signed_out(owner_client):
    settings_page = reverse("tenancy:firm_settings")
    assert owner_client.get(settings_page).status_code == 200
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    assert owner_client.get(settings_page).status_code == 302
