import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from firmpay.core.models import AuditRecord
from firmpay.tenancy.exceptions import LastOwner
from firmpay.tenancy.models import Membership, Role
from firmpay.tenancy.services import membership_change_role, membership_remove
from firmpay.tenancy.tests.factories import client_for, make_member

pytestmark = pytest.mark.django_db


def membership(firm, user):
    return Membership.objects.get(firm=firm, user=user)


def flashed(response):
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_members_page_lists_members_with_roles(staff_client, owner, staff_user):
    page = staff_client.get(reverse("tenancy:members")).content.decode()
    assert owner.email in page
    assert staff_user.email in page
    assert "Owner" in page and "Staff" in page
    assert "Send invitation" not in page  # staff only look


def test_the_owner_changes_a_role_and_it_is_audited(owner_client, firm, owner, staff_user):
    target = membership(firm, staff_user)

    response = owner_client.post(
        reverse("tenancy:membership_role", args=[target.pk]), {"role": "admin"}
    )

    assert response.status_code == 302
    assert membership(firm, staff_user).role == Role.ADMIN
    record = AuditRecord.objects.get(action="member.role_changed")
    assert (record.firm, record.actor) == (firm, owner)
    assert record.detail == {"email": staff_user.email, "from": "staff", "to": "admin"}


def test_the_owner_removes_a_member_and_it_is_audited(owner_client, firm, staff_user):
    target = membership(firm, staff_user)

    owner_client.post(reverse("tenancy:membership_remove", args=[target.pk]))

    assert not Membership.objects.filter(pk=target.pk).exists()
    assert AuditRecord.objects.get(action="member.removed").detail["email"] == staff_user.email
    assert client_for(staff_user).get(reverse("tenancy:members")).status_code == 302


def test_the_last_owner_cannot_be_demoted(owner_client, firm, owner):
    own = membership(firm, owner)

    response = owner_client.post(
        reverse("tenancy:membership_role", args=[own.pk]), {"role": "staff"}
    )

    assert membership(firm, owner).role == Role.OWNER
    assert "only owner" in flashed(response)
    assert not AuditRecord.objects.filter(action="member.role_changed").exists()


def test_the_last_owner_cannot_be_removed(owner_client, firm, owner):
    own = membership(firm, owner)

    response = owner_client.post(reverse("tenancy:membership_remove", args=[own.pk]))

    assert Membership.objects.filter(pk=own.pk).exists()
    assert "only owner" in flashed(response)


def test_with_two_owners_one_may_step_down_but_not_both(firm, owner):
    second = make_member(firm, role="owner")
    membership_change_role(membership=membership(firm, owner), role="admin", actor=owner)

    with pytest.raises(LastOwner):
        membership_remove(membership=second, actor=second.user)
    with pytest.raises(LastOwner):
        membership_change_role(membership=second, role="staff", actor=second.user)
    assert Membership.objects.filter(firm=firm, role="owner").count() == 1


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_only_the_owner_changes_roles_or_removes_members(firm, owner, role):
    actor = make_member(firm, role=role).user
    target = make_member(firm, role="staff")
    client = client_for(actor, firm)

    change = client.post(reverse("tenancy:membership_role", args=[target.pk]), {"role": "owner"})
    remove = client.post(reverse("tenancy:membership_remove", args=[target.pk]))

    assert (change.status_code, remove.status_code) == (403, 403)
    target.refresh_from_db()
    assert target.role == Role.STAFF


def test_an_invalid_role_changes_nothing(owner_client, firm, staff_user):
    target = membership(firm, staff_user)
    owner_client.post(reverse("tenancy:membership_role", args=[target.pk]), {"role": "emperor"})
    assert membership(firm, staff_user).role == Role.STAFF


def test_removing_a_member_asks_for_confirmation_first(owner_client, firm, staff_user):
    membership(firm, staff_user)

    html = owner_client.get(reverse("tenancy:members")).content.decode()

    assert f'data-confirm="Remove {staff_user.email} from {firm.name}?' in html
