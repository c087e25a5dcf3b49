"""Fixtures for the payments tests: firms, members, and settings pointing the one
StripeClient at the in-process sandbox (real SDK over HTTP, nothing patched)."""

from __future__ import annotations

import json
import time
import uuid

import pytest

from firmpay.payments.stripe import webhooks
from firmpay.tenancy.models import Firm, Membership, Role, User
from tests.stripe_fixtures import stripe_settings  # noqa: F401 - a fixture

WEBHOOK_SECRET = "whsec_test_payments_0000000000000000"


@pytest.fixture
def stripe_webhook_secrets() -> list[str]:
    return [WEBHOOK_SECRET]


@pytest.fixture
def make_firm(db):
    def make(*, plan="standard", country="US", name=None, role=Role.OWNER):
        name = name or f"Firm {uuid.uuid4().hex[:6]}"
        firm = Firm.objects.create(
            name=name,
            plan=plan,
            country=country,
            email=f"{uuid.uuid4().hex[:8]}@firm.test",
            default_currency="GBP" if country == "GB" else "USD",
        )
        user = User.objects.create_user(f"{uuid.uuid4().hex[:8]}@member.test", "pw-12345678")
        Membership.objects.create(user=user, firm=firm, role=role)
        firm.owner = user
        return firm

    return make


@pytest.fixture
def firm(make_firm):
    return make_firm()


@pytest.fixture
def owner(firm):
    return firm.owner


def account_state(stripe_sandbox, account_id: str, state: str, **params) -> dict:
    """Put a sandbox account into a named state (see the sandbox's control_accounts)."""
    return stripe_sandbox.control(
        "POST", f"accounts/{account_id}/state", {"state": state, **params}
    )


def event_payload(
    *,
    type="account.updated",
    account="acct_unknown",
    object=None,
    created=None,
    event_id=None,
    api_version="2026-10-28.endive",
) -> str:
    return json.dumps(
        {
            "id": event_id or f"evt_{uuid.uuid4().hex[:24]}",
            "object": "event",
            "api_version": api_version,
            "account": account,
            "created": created or int(time.time()),
            "livemode": False,
            "pending_webhooks": 1,
            "type": type,
            "data": {"object": object or {"id": account, "object": "account"}},
        }
    )


def post_event(client, payload: str, *, secret=WEBHOOK_SECRET, timestamp=None, header=None):
    header = header if header is not None else webhooks.sign(payload, secret, timestamp)
    return client.post(
        "/webhooks/stripe/",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )


@pytest.fixture
def listener():
    """A connection of its own LISTENing on the channel the webhook INSERT notifies."""
    import psycopg
    from django.db import connection as db_connection

    from firmpay.payments.services.events import NOTIFY_CHANNEL

    params = db_connection.get_connection_params()
    with psycopg.connect(
        dbname=params["dbname"],
        user=params.get("user"),
        host=params.get("host"),
        port=params.get("port"),
        password=params.get("password"),
        autocommit=True,
    ) as conn:
        conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
        yield conn


def notifications(conn) -> int:
    """Notifications that arrive within half a second (then any more already there)."""
    return sum(1 for _ in conn.notifies(timeout=0.5, stop_after=1)) + sum(
        1 for _ in conn.notifies(timeout=0.05)
    )
