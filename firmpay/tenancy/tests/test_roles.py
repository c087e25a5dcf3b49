"""The roles table (firmpay/tenancy/roles.py) walked through the real views: every actor role
against every target role and every new role, for invitations, role changes, removal and the
plan. What the table allows happens; nothing else changes anything."""

import itertools

import pytest
from django.urls import reverse

from firmpay.tenancy.exceptions import RoleNotAllowed
from firmpay.tenancy.models import Invitation, Membership, Plan, Role
from firmpay.tenancy.roles import (
    CHANGES,
    GRANTS,
    REMOVES,
    Action,
    may_change_role,
    may_grant,
    may_remove,
    role_may,
)
from firmpay.tenancy.services import invitation_create
from firmpay.tenancy.tests.factories import client_for, make_firm, make_member, make_owner

pytestmark = pytest.mark.django_db

ROLES = [Role.OWNER, Role.ADMIN, Role.STAFF]


def firm_with(actor_role):
    """A firm with an owner who is not the actor, and the actor's logged-in client."""
    firm = make_firm()
    make_owner(firm)
    actor = make_member(firm, role=actor_role)
    return firm, actor, client_for(actor.user, firm)


def test_an_admin_can_never_create_promote_to_or_demote_an_owner():
    assert Role.OWNER not in GRANTS[Role.ADMIN]
    assert Role.OWNER not in CHANGES[Role.ADMIN]
    assert Role.OWNER not in REMOVES[Role.ADMIN]
    assert not GRANTS[Role.STAFF] and not CHANGES[Role.STAFF] and not REMOVES[Role.STAFF]
    assert not role_may(Role.ADMIN, Action.PLAN_CHANGE)


@pytest.mark.parametrize("actor_role,role", list(itertools.product(ROLES, ROLES)))
def test_invitations_follow_the_table(actor_role, role):
    firm, actor, client = firm_with(actor_role)

    response = client.post(
        reverse("tenancy:invitation_create"), {"email": "new@person.test", "role": role}
    )

    allowed = role_may(actor_role, Action.MEMBER_INVITE) and may_grant(
        actor_role=actor_role, role=role
    )
    assert Invitation.objects.filter(firm=firm, role=role).exists() == allowed
    assert response.status_code == (302 if allowed else 400 if actor_role != Role.STAFF else 403)


def test_an_admin_inviting_an_owner_is_refused_by_the_service_too():
    firm, admin, _client = firm_with(Role.ADMIN)

    with pytest.raises(RoleNotAllowed):
        invitation_create(firm=firm, email="boss@x.test", role=Role.OWNER, invited_by=admin.user)
    assert not Invitation.objects.filter(firm=firm).exists()


@pytest.mark.parametrize(
    "actor_role,target_role,new_role", list(itertools.product(ROLES, ROLES, ROLES))
)
def test_role_changes_follow_the_table(actor_role, target_role, new_role):
    firm, actor, client = firm_with(actor_role)
    target = make_member(firm, role=target_role)

    response = client.post(reverse("tenancy:membership_role", args=[target.pk]), {"role": new_role})

    target.refresh_from_db()
    if may_change_role(actor_role=actor_role, target_role=target_role, new_role=new_role):
        assert target.role == new_role
    else:
        assert target.role == target_role
        assert response.status_code in (302, 403)  # 302 only with a flashed refusal
        assert response.status_code == 403 or actor_role == Role.OWNER


@pytest.mark.parametrize("actor_role,target_role", list(itertools.product(ROLES, ROLES)))
def test_removal_follows_the_table(actor_role, target_role):
    firm, actor, client = firm_with(actor_role)
    target = make_member(firm, role=target_role)

    response = client.post(reverse("tenancy:membership_remove", args=[target.pk]))

    removed = not Membership.objects.filter(pk=target.pk).exists()
    assert removed == may_remove(actor_role=actor_role, target_role=target_role)
    if not removed:
        assert response.status_code == 403


@pytest.mark.parametrize("actor_role", ROLES)
def test_plan_changes_follow_the_table(actor_role):
    firm, actor, client = firm_with(actor_role)

    response = client.post(reverse("tenancy:plan"), {"plan": Plan.STANDARD})

    firm.refresh_from_db()
    assert (firm.plan == Plan.STANDARD) == role_may(actor_role, Action.PLAN_CHANGE)
    if not role_may(actor_role, Action.PLAN_CHANGE):
        assert response.status_code == 403


def test_the_invited_owner_attack_of_issue_19_fails_at_the_first_step():
    firm, admin, client = firm_with(Role.ADMIN)

    client.post(reverse("tenancy:invitation_create"), {"email": "me2@x.test", "role": "owner"})
    own = Membership.objects.get(firm=firm, role=Role.OWNER)
    client.post(reverse("tenancy:membership_role", args=[own.pk]), {"role": "staff"})

    assert not Invitation.objects.filter(firm=firm).exists()
    assert Membership.objects.get(pk=own.pk).role == Role.OWNER


@pytest.mark.parametrize("verb", ["role", "remove"])
def test_the_last_owner_can_be_neither_demoted_nor_removed(verb):
    firm = make_firm()
    owner = make_owner(firm)
    own = Membership.objects.get(firm=firm, user=owner)
    client = client_for(owner, firm)

    if verb == "role":
        client.post(reverse("tenancy:membership_role", args=[own.pk]), {"role": "admin"})
    else:
        client.post(reverse("tenancy:membership_remove", args=[own.pk]))

    assert Membership.objects.get(pk=own.pk).role == Role.OWNER


def test_the_members_page_offers_an_admin_no_owner_role():
    firm, admin, client = firm_with(Role.ADMIN)

    html = client.get(reverse("tenancy:members")).content.decode()

    assert 'value="owner"' not in html
    assert 'value="admin"' in html
