"""Each request reads the signed-in user with their memberships and firms in one query
(firmpay.tenancy.backends.MemberBackend), and what changed since the last request counts
at once: log-out, a new password, a deactivated user, a removed membership."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from firmpay.tenancy.backends import MemberBackend
from firmpay.tenancy.models import Membership, Role
from firmpay.tenancy.tests.factories import (
    DEFAULT_PASSWORD,
    client_for,
    make_firm,
    make_member,
    make_owner,
    make_user,
)

pytestmark = pytest.mark.django_db

SETTINGS = reverse("tenancy:firm_settings")


def _firm_name_shown(client) -> str:
    response = client.get(SETTINGS)
    assert response.status_code == 200
    return response.context["current_firm"].name


def test_the_user_their_membership_and_firm_are_one_query(owner, firm):
    with CaptureQueriesContext(connection) as captured:
        user = MemberBackend().get_user(owner.pk)
        membership = user.signed_in_memberships[0]
        assert (membership.user, membership.firm.name) == (user, firm.name)
    assert len(captured.captured_queries) == 1


def _values(instance) -> dict:
    """Every column's value, with its type (a string is not a date, 1 is not True)."""
    values = (getattr(instance, field.attname) for field in instance._meta.concrete_fields)
    return [(type(value), value) for value in values]


def test_the_user_membership_and_firm_read_are_what_the_orm_reads(owner, firm):
    second = make_firm(name="Second Firm", tz="Europe/London")
    make_member(second, role=Role.ADMIN, user=owner)
    owner.last_login = owner.date_joined
    owner.save()

    user = MemberBackend().get_user(owner.pk)
    expected = list(
        Membership.objects.filter(user=owner).select_related("user", "firm").order_by("id")
    )
    assert [m.pk for m in user.signed_in_memberships] == [m.pk for m in expected]
    assert _values(user) == _values(expected[0].user)
    for read, orm in zip(user.signed_in_memberships, expected, strict=True):
        assert _values(read) == _values(orm)
        assert _values(read.firm) == _values(orm.firm)
        assert read.user is user
        assert not read._state.adding and read._state.db == orm._state.db


def test_a_firm_page_reads_the_user_and_firm_once(owner_client):
    owner_client.get(SETTINGS)
    with CaptureQueriesContext(connection) as captured:
        assert owner_client.get(SETTINGS).status_code == 200
    tenancy = [q["sql"] for q in captured.captured_queries if '"tenancy_user"' in q["sql"]]
    assert len(tenancy) == 1
    assert '"tenancy_membership"' in tenancy[0]


def test_log_in_with_the_password_stores_this_backend(client):
    owner = make_owner()
    client.post(reverse("tenancy:login"), {"username": owner.email, "password": DEFAULT_PASSWORD})
    assert client.session[BACKEND_SESSION_KEY] == "firmpay.tenancy.backends.MemberBackend"
    assert _firm_name_shown(client) == owner.firm.name


def test_the_session_firm_is_shown_and_a_foreign_one_falls_back_to_the_first():
    user = make_owner()
    second = make_firm(name="Second Firm")
    make_member(second, role=Role.STAFF, user=user)
    assert _firm_name_shown(client_for(user, second)) == "Second Firm"
    assert _firm_name_shown(client_for(user, make_firm(name="Not Theirs"))) == user.firm.name
    assert _firm_name_shown(client_for(user)) == user.firm.name


def test_a_removed_membership_counts_on_the_next_request():
    user = make_owner()
    second = make_firm(name="Second Firm")
    make_member(second, role=Role.STAFF, user=user)
    client = client_for(user, second)
    assert _firm_name_shown(client) == "Second Firm"

    Membership.objects.filter(user=user, firm=second).delete()
    assert _firm_name_shown(client) == user.firm.name
    Membership.objects.filter(user=user).delete()
    assert client.get(SETTINGS)["Location"] == reverse("tenancy:firm_create")


def test_a_new_password_signs_out_other_sessions(owner_client, owner):
    assert owner_client.get(SETTINGS).status_code == 200
    owner.set_password("another-Secret-456")
    owner.save()
    assert owner_client.get(SETTINGS).status_code == 302
    assert "_auth_user_id" not in owner_client.session


def test_a_deactivated_user_is_signed_out_on_the_next_request(owner_client, owner):
    assert owner_client.get(SETTINGS).status_code == 200
    type(owner).objects.filter(pk=owner.pk).update(is_active=False)
    assert owner_client.get(SETTINGS).status_code == 302


def test_log_out_counts_on_the_next_request(owner_client):
    assert owner_client.get(SETTINGS).status_code == 200
    owner_client.post(reverse("tenancy:logout"))
    assert owner_client.get(SETTINGS).status_code == 302


def test_a_user_without_a_firm_still_signs_in(client):
    staff = make_user(is_staff=True)
    client.force_login(staff)
    assert client.get(SETTINGS)["Location"] == reverse("support:index")


def test_a_session_of_the_default_backend_signs_in_once_more(owner_client):
    session = owner_client.session
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session.save()
    assert owner_client.get(SETTINGS).status_code == 302
