"""Small builders for client tests. Firms and members come from the tenancy factories when
they exist; these stand in until then."""

import itertools

from firmpay.clients.services import client_create
from firmpay.tenancy.models import Firm, Membership, Role, User

_seq = itertools.count(1)


def firm_build(**fields) -> Firm:
    n = next(_seq)
    values = {"name": f"Firm {n}", "default_currency": "USD", "timezone": "UTC"} | fields
    return Firm.objects.create(**values)


def member_build(*, firm: Firm, role: str = Role.OWNER, email: str | None = None) -> User:
    user = User.objects.create_user(email or f"member{next(_seq)}@example.test", "pw-123456789")
    Membership.objects.create(user=user, firm=firm, role=role)
    return user


def client_build(*, firm: Firm, **fields):
    n = next(_seq)
    values = {"name": f"Client {n}", "email": f"client{n}@example.test"} | fields
    return client_create(firm=firm, **values)
