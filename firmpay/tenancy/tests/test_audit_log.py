import pytest
from django.urls import reverse

from firmpay.core.audit import audit_record_create
from firmpay.tenancy.tests.factories import client_for, make_member

pytestmark = pytest.mark.django_db


def test_the_owner_sees_the_firms_records_newest_first(owner_client, firm, owner, other_firm):
    audit_record_create(action="first.thing", firm=firm, actor=owner)
    audit_record_create(action="second.thing", firm=firm, actor=owner, detail={"to": "pro"})
    audit_record_create(action="foreign.thing", firm=other_firm)

    page = owner_client.get(reverse("tenancy:audit_log"))

    assert page.status_code == 200
    actions = [record.action for record in page.context["page"]]
    assert actions == ["second.thing", "first.thing"]
    assert owner.email in page.content.decode()


def test_the_audit_log_is_paginated(owner_client, firm, owner):
    for n in range(55):
        audit_record_create(action=f"thing.{n}", firm=firm, actor=owner)

    first = owner_client.get(reverse("tenancy:audit_log"))
    second = owner_client.get(reverse("tenancy:audit_log"), {"page": 2})

    assert len(first.context["page"]) == 50
    assert [r.action for r in second.context["page"]][-1] == "thing.0"
    assert len(second.context["page"]) == 5


def test_the_audit_log_shows_the_ip(owner_client, firm):
    owner_client.post(reverse("tenancy:plan"), {"plan": "standard"}, REMOTE_ADDR="203.0.113.9")
    assert "203.0.113.9" in owner_client.get(reverse("tenancy:audit_log")).content.decode()


@pytest.mark.parametrize("role", ["admin", "staff"])
def test_only_owners_read_the_audit_log(firm, owner, role):
    client = client_for(make_member(firm, role=role).user, firm)
    assert client.get(reverse("tenancy:audit_log")).status_code == 403
