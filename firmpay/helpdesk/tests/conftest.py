"""Fixtures for in-app help: a firm with an owner and a staff member, a second firm, a
support (Django staff) user, clients logged in as each, and builders for conversations."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from firmpay.helpdesk.models import Conversation, Message, Side
from firmpay.payments.models import PaymentAccount
from firmpay.tenancy.tests.factories import client_for, make_member, make_user
from tests.stripe_fixtures import stripe_settings  # noqa: F401 - a fixture

WEBHOOK_SECRET = "whsec_test_helpdesk_00000000000000000"


@pytest.fixture(autouse=True)
def _presence_cache_cleared():
    cache.clear()  # the presence middleware's once-a-minute marks are process-local
    yield
    cache.clear()


@pytest.fixture
def member(firm):
    return make_member(firm, role="staff").user


@pytest.fixture
def member_client(member, firm) -> Client:
    return client_for(member, firm)


@pytest.fixture
def other_client(other_owner, other_firm) -> Client:
    return client_for(other_owner, other_firm)


@pytest.fixture
def support_user(db):
    return make_user(is_staff=True)


@pytest.fixture
def support_client(support_user) -> Client:
    return client_for(support_user, REMOTE_ADDR="198.51.100.9")


@pytest.fixture
def connected_account(firm):
    """A platform-created account row as the payments app stores it (no Stripe call)."""
    return PaymentAccount.objects.create(
        firm=firm, stripe_account_id="acct_helpdesk123", created_via="platform", status="active"
    )


def make_conversation(firm, author, *, body="Hello", tag="general", **fields) -> Conversation:
    """A conversation with one firm message, written without a request."""
    conversation = Conversation.objects.create(firm=firm, tag=tag, subject=body[:40], **fields)
    message = Message.objects.create(
        conversation=conversation, author=author, author_side=Side.FIRM, body=body
    )
    conversation.last_firm_message_at = message.created_at
    conversation.awaiting_support_since = message.created_at
    conversation.save()
    return conversation


@pytest.fixture
def conversation(firm, owner):
    return make_conversation(firm, owner, body="Where is my payout?")


@pytest.fixture
def stripe_webhook_secrets() -> list[str]:
    return [WEBHOOK_SECRET]
