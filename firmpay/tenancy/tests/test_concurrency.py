"""Races decided by the database: run on PostgreSQL, and on SQLite against a migrated file
with the deployed settings (see database_as_deployed)."""

import threading

import pytest
from django.db import close_old_connections, connection

from firmpay.invoices.tests.test_numbering import database_as_deployed  # noqa: F401 - fixture
from firmpay.tenancy.exceptions import InvitationUnusable
from firmpay.tenancy.models import Membership, Role
from firmpay.tenancy.services import invitation_accept, invitation_create, membership_change_role
from firmpay.tenancy.tests.factories import make_firm, make_member, make_owner, make_user


def at_once(*calls):
    """Runs each call in its own thread (own connection), released together."""
    start = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            start.wait()
            outcomes[index] = call()
        except Exception as error:  # noqa: BLE001 - the test inspects it
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    close_old_connections()
    return outcomes


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(5))
def test_two_owners_demoting_each_other_at_once_leave_one_owner(database_as_deployed, attempt):  # noqa: F811
    firm = make_firm()
    first = Membership.objects.get(user=make_owner(firm), firm=firm)
    second = make_member(firm, role=Role.OWNER)

    outcomes = at_once(
        lambda: membership_change_role(membership=first, role=Role.STAFF, actor=second.user),
        lambda: membership_change_role(membership=second, role=Role.STAFF, actor=first.user),
    )

    # The one that waited for the firm lock finds its actor demoted (no longer allowed) or
    # its target the last owner: refused either way.
    names = sorted(type(outcome).__name__ for outcome in outcomes)
    assert names in (["LastOwner", "Membership"], ["Membership", "RoleNotAllowed"])
    assert Membership.objects.filter(firm=firm, role=Role.OWNER).count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_invitation_accepted_twice_at_once_makes_one_membership(database_as_deployed):  # noqa: F811
    firm = make_firm()
    owner = make_owner(firm)
    invitation, _ = invitation_create(
        firm=firm, email="race@x.test", role="admin", invited_by=owner
    )
    person = make_user("race@x.test")

    outcomes = at_once(
        lambda: invitation_accept(invitation=invitation, user=person),
        lambda: invitation_accept(invitation=invitation, user=person),
    )

    assert sorted(type(outcome).__name__ for outcome in outcomes) == [
        "InvitationUnusable",
        "Membership",
    ]
    assert any(isinstance(outcome, InvitationUnusable) for outcome in outcomes)
    assert Membership.objects.filter(firm=firm, user=person).count() == 1
