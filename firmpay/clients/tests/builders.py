"""Builders for client and invoice tests, on top of the tenancy factories."""

import itertools

from firmpay.clients.services import client_create
from firmpay.tenancy.models import Firm, Role, User
from firmpay.tenancy.tests.factories import make_firm, make_member, make_user

_seq = itertools.count(1)


def firm_build(**fields) -> Firm:
    """`make_firm` spelled with the model's field names (default_currency, timezone...)."""
    currency = fields.pop("default_currency", "USD")
    tz = fields.pop("timezone", "UTC")
    return make_firm(currency=currency, tz=tz, **fields)


def member_build(*, firm: Firm, role: str = Role.OWNER, email: str | None = None) -> User:
    return make_member(firm, role=role, user=make_user(email)).user


def client_build(*, firm: Firm, **fields):
    n = next(_seq)
    values = {"name": f"Client {n}", "email": f"client{n}@example.test"} | fields
    return client_create(firm=firm, **values)
