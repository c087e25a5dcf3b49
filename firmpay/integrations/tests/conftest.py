"""Fixtures for the Stripe card and banner views: firms with members of each role, Django
test clients logged in as them, and settings pointing the app at the in-process sandbox."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from firmpay.tenancy.models import Firm, Membership, Role, User
from tests.stripe_fixtures import stripe_settings  # noqa: F401 - a fixture

WEBHOOK_SECRET = "whsec_test_integrations_000000000000"


@pytest.fixture
def stripe_webhook_secrets() -> list[str]:
    return [WEBHOOK_SECRET]


def make_user(email_prefix: str = "member", **extra) -> User:
    return User.objects.create_user(
        f"{email_prefix}-{uuid.uuid4().hex[:8]}@firm.test", "pw-12345678", **extra
    )


@pytest.fixture
def make_firm(db):
    def make(*, plan="standard", country="US", name=None) -> Firm:
        firm = Firm.objects.create(
            name=name or f"Firm {uuid.uuid4().hex[:6]}",
            plan=plan,
            country=country,
            email=f"{uuid.uuid4().hex[:8]}@firm.test",
            default_currency="GBP" if country == "GB" else "USD",
        )
        firm.members = {}
        for role in (Role.OWNER, Role.ADMIN, Role.STAFF):
            user = make_user(role)
            Membership.objects.create(user=user, firm=firm, role=role)
            firm.members[role] = user
        firm.owner = firm.members[Role.OWNER]
        return firm

    return make


@pytest.fixture
def firm(make_firm):
    return make_firm()


def client_for(user, **extra) -> Client:
    client = Client(REMOTE_ADDR="203.0.113.7", **extra)
    client.force_login(user)
    return client


@pytest.fixture
def owner_client(firm):
    return client_for(firm.members[Role.OWNER])


@pytest.fixture
def admin_client(firm):
    return client_for(firm.members[Role.ADMIN])


@pytest.fixture
def staff_client(firm):
    return client_for(firm.members[Role.STAFF])


def account_state(stripe_sandbox, account_id: str, state: str, **params) -> dict:
    return stripe_sandbox.control(
        "POST", f"accounts/{account_id}/state", {"state": state, **params}
    )
