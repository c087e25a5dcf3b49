"""Plain factory functions for users, firms and members, for every app's tests.

    from firmpay.tenancy.tests.factories import make_firm, make_owner, make_member, make_user

Each call makes fresh rows with unique emails and names, so tests can call them freely.
"""

from __future__ import annotations

import itertools
import uuid

from django.test import Client

from firmpay.tenancy.middleware import SESSION_FIRM_KEY
from firmpay.tenancy.models import Firm, Membership, Role, User

DEFAULT_PASSWORD = "pw-Secret-123"
_counter = itertools.count(1)


def _unique() -> str:
    return f"{next(_counter)}-{uuid.uuid4().hex[:6]}"


def make_user(email: str | None = None, password: str = DEFAULT_PASSWORD, **kw) -> User:
    """A user who can log in with `password`. Extra keywords go to the model (name, is_staff...)."""
    email = email or f"user-{_unique()}@example.test"
    kw.setdefault("name", email.split("@")[0].replace("-", " ").title())
    return User.objects.create_user(email, password, **kw)


def make_firm(
    name: str | None = None,
    plan: str = "free",
    country: str = "US",
    currency: str = "USD",
    tz: str = "UTC",
    **kw,
) -> Firm:
    """A firm with no members yet (see make_owner / make_member)."""
    return Firm.objects.create(
        name=name or f"Firm {_unique()}",
        plan=plan,
        country=country,
        default_currency=currency,
        timezone=tz,
        **kw,
    )


def make_member(firm: Firm, role: str = Role.STAFF, user: User | None = None) -> Membership:
    """Adds `user` (a new one when None) to `firm` with `role`; returns the membership."""
    return Membership.objects.create(firm=firm, user=user or make_user(), role=role)


def make_owner(firm: Firm | None = None) -> User:
    """The owner user of `firm` (a new firm when None); `user.firm` is that firm."""
    firm = firm or make_firm()
    user = make_member(firm, role=Role.OWNER).user
    user.firm = firm
    return user


def client_for(user: User, firm: Firm | None = None, **client_kw) -> Client:
    """A test Client logged in as `user`, with the session's firm set to `firm` when given."""
    client = Client(**client_kw)
    client.force_login(user)
    if firm is not None:
        session = client.session
        session[SESSION_FIRM_KEY] = firm.pk
        session.save()
    return client
