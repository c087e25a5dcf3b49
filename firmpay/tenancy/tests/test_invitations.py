import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from firmpay.core.models import AuditRecord
from firmpay.tenancy.exceptions import AlreadyMember, InvitationUnusable
from firmpay.tenancy.models import Invitation, Membership, Role
from firmpay.tenancy.services import invitation_accept, invitation_create
from firmpay.tenancy.tests.factories import DEFAULT_PASSWORD, client_for, make_member, make_user

pytestmark = pytest.mark.django_db

ACCEPT_LINK = re.compile(r"https?://\S+/invitations/(\S+)/")


def invite(owner_client, django_capture_on_commit_callbacks, email="new@person.test", role="staff"):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            reverse("tenancy:invitation_create"), {"email": email, "role": role}
        )
    assert response.status_code == 302, response.content
    return ACCEPT_LINK.search(mail.outbox[-1].body).group(0)


def path_of(link):
    return link[link.index("/invitations/") :]


def test_inviting_emails_an_unguessable_link_after_commit(
    owner_client, firm, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        owner_client.post(
            reverse("tenancy:invitation_create"), {"email": "New@Person.test", "role": "admin"}
        )
        assert mail.outbox == []  # nothing leaves before the transaction commits
    for callback in callbacks:
        callback()

    invitation = Invitation.objects.get(firm=firm)
    assert (invitation.email, invitation.role, invitation.invited_by) == (
        "new@person.test",
        "admin",
        owner,
    )
    assert abs(invitation.expires_at - invitation.created_at - timedelta(days=7)) < timedelta(
        seconds=5
    )
    token = ACCEPT_LINK.search(mail.outbox[0].body).group(1)
    assert len(token) >= 43
    assert invitation.token != token  # only its hash is stored
    assert mail.outbox[0].to == ["new@person.test"]
    record = AuditRecord.objects.get(action="member.invited")
    assert record.detail == {"email": "new@person.test", "role": "admin"}
    assert record.actor == owner


def test_a_new_person_sets_a_password_and_joins_once(
    owner_client, client, firm, django_capture_on_commit_callbacks
):
    link = invite(owner_client, django_capture_on_commit_callbacks)
    assert client.get(path_of(link)).status_code == 200

    response = client.post(path_of(link), {"name": "New Person", "password": "long-pass-word-99"})

    assert response.status_code == 302
    membership = Membership.objects.get(firm=firm, user__email="new@person.test")
    assert membership.role == Role.STAFF
    assert client.session["firm_id"] == firm.pk
    assert AuditRecord.objects.filter(action="member.joined", firm=firm).count() == 1

    again = client.post(path_of(link), {"name": "X", "password": "long-pass-word-99"})
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    assert Membership.objects.filter(firm=firm).count() == 2


def test_an_invalid_password_on_the_accept_page_writes_nothing(
    owner_client, client, firm, django_capture_on_commit_callbacks
):
    link = invite(owner_client, django_capture_on_commit_callbacks)
    response = client.post(path_of(link), {"name": "New", "password": "123"})

    assert response.status_code == 200
    assert "password" in response.context["form"].errors
    assert not Membership.objects.filter(user__email="new@person.test").exists()
    assert Invitation.objects.get(firm=firm).state == "pending"


def test_an_existing_user_logs_in_then_accepts(
    owner_client, client, firm, other_firm, django_capture_on_commit_callbacks
):
    person = make_member(other_firm, role="owner", user=make_user("known@person.test")).user
    link = invite(owner_client, django_capture_on_commit_callbacks, email="known@person.test")

    anonymous = client.get(path_of(link))
    assert "Log in as known@person.test" in anonymous.content.decode()

    client.post(reverse("tenancy:login"), {"username": person.email, "password": DEFAULT_PASSWORD})
    assert client.post(path_of(link)).status_code == 302
    assert Membership.objects.get(firm=firm, user=person).role == Role.STAFF
    assert Membership.objects.filter(user=person).count() == 2


def test_a_signed_in_user_with_another_email_cannot_accept(
    owner_client, firm, other_owner, django_capture_on_commit_callbacks
):
    link = invite(owner_client, django_capture_on_commit_callbacks)
    intruder = client_for(other_owner)

    response = intruder.post(path_of(link))

    assert response.status_code == 403
    assert not Membership.objects.filter(firm=firm, user=other_owner).exists()
    assert Invitation.objects.get(firm=firm).state == "pending"


def test_an_expired_invitation_is_refused(
    owner_client, client, firm, django_capture_on_commit_callbacks
):
    link = invite(owner_client, django_capture_on_commit_callbacks)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = client.post(path_of(link), {"name": "Late", "password": "long-pass-word-99"})

    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert not Membership.objects.filter(user__email="new@person.test").exists()


def test_a_revoked_invitation_is_refused(
    owner_client, client, firm, django_capture_on_commit_callbacks
):
    link = invite(owner_client, django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get(firm=firm)

    revoke = owner_client.post(reverse("tenancy:invitation_revoke", args=[invitation.pk]))
    assert revoke.status_code == 302
    assert AuditRecord.objects.filter(action="member.invitation_revoked").exists()

    response = client.post(path_of(link), {"name": "Late", "password": "long-pass-word-99"})
    assert response.status_code == 410
    assert "withdrawn" in response.content.decode()
    assert not Membership.objects.filter(user__email="new@person.test").exists()


def test_an_unknown_token_is_404(client):
    assert client.get("/invitations/not-a-real-token/").status_code == 404


def test_inviting_again_replaces_the_pending_invitation(
    owner_client, client, firm, django_capture_on_commit_callbacks
):
    first = invite(owner_client, django_capture_on_commit_callbacks)
    second = invite(owner_client, django_capture_on_commit_callbacks, role="admin")

    assert client.get(path_of(first)).status_code == 410
    client.post(path_of(second), {"name": "New", "password": "long-pass-word-99"})
    assert Membership.objects.get(user__email="new@person.test").role == Role.ADMIN


def test_the_database_allows_one_pending_invitation_per_email(firm, owner):
    invitation_create(firm=firm, email="dup@person.test", role="staff", invited_by=owner)
    with pytest.raises(IntegrityError), transaction.atomic():
        Invitation.objects.create(
            firm=firm, email="DUP@person.test", token="x" * 64, expires_at=timezone.now()
        )


def test_inviting_a_member_is_a_field_error(owner_client, firm, staff_user):
    response = owner_client.post(
        reverse("tenancy:invitation_create"), {"email": staff_user.email, "role": "admin"}
    )
    assert response.status_code == 400
    assert "already a member" in str(response.context["invite_form"].errors["email"])
    assert not Invitation.objects.exists()


def test_an_invalid_invitation_form_writes_nothing(owner_client):
    response = owner_client.post(
        reverse("tenancy:invitation_create"), {"email": "nope", "role": "emperor"}
    )
    assert response.status_code == 400
    assert set(response.context["invite_form"].errors) == {"email", "role"}
    assert not Invitation.objects.exists()


def test_accepting_twice_creates_one_membership(firm, owner):
    invitation, _ = invitation_create(
        firm=firm, email="twice@x.test", role="staff", invited_by=owner
    )
    person = make_user("twice@x.test")

    invitation_accept(invitation=invitation, user=person)
    with pytest.raises(InvitationUnusable):
        invitation_accept(invitation=invitation, user=person)

    assert Membership.objects.filter(firm=firm, user=person).count() == 1


def test_an_invitation_for_someone_who_joined_meanwhile_is_refused_and_stays_pending(firm, owner):
    invitation, _ = invitation_create(
        firm=firm, email="meanwhile@x.test", role="admin", invited_by=owner
    )
    person = make_member(firm, role="staff", user=make_user("meanwhile@x.test")).user

    with pytest.raises(AlreadyMember):
        invitation_accept(invitation=invitation, user=person)

    assert Membership.objects.get(firm=firm, user=person).role == Role.STAFF
    assert Invitation.objects.get(pk=invitation.pk).state == "pending"


def test_staff_cannot_invite_or_revoke(staff_client, firm, owner):
    invitation, _ = invitation_create(firm=firm, email="a@x.test", role="staff", invited_by=owner)

    invite_response = staff_client.post(
        reverse("tenancy:invitation_create"), {"email": "b@x.test", "role": "owner"}
    )
    revoke_response = staff_client.post(reverse("tenancy:invitation_revoke", args=[invitation.pk]))

    assert (invite_response.status_code, revoke_response.status_code) == (403, 403)
    assert list(Invitation.objects.pending().values_list("email", flat=True)) == ["a@x.test"]


def test_admins_invite(firm, django_capture_on_commit_callbacks):
    admin = make_member(firm, role="admin").user
    invite(client_for(admin, firm), django_capture_on_commit_callbacks, email="c@x.test")
    assert Invitation.objects.get().invited_by == admin
