"""The badge on the Help button: support replied and this member has not read it yet."""

from __future__ import annotations

import pytest

from firmpay.helpdesk.selectors import unread_conversations_count
from firmpay.helpdesk.services import support_message_post

pytestmark = pytest.mark.django_db


def badge(client) -> str:
    return client.get("/help/badge/").content.decode()


def test_no_badge_before_support_replies(owner_client, conversation):
    assert 'class="help-badge"' not in badge(owner_client)


def test_support_reply_lights_the_badge_for_every_member(
    owner_client, member_client, conversation, support_user, owner, member, firm
):
    support_message_post(conversation=conversation, author=support_user, body="On it")
    assert 'class="help-badge"' in badge(owner_client)
    assert 'class="help-badge"' in badge(member_client)
    assert unread_conversations_count(firm=firm, user=member) == 1


def test_reading_the_thread_clears_the_badge_for_that_member_only(
    owner_client, member_client, conversation, support_user, owner, member, firm
):
    support_message_post(conversation=conversation, author=support_user, body="On it")
    response = owner_client.get("/help/", HTTP_HX_REQUEST="true")
    assert "helpdesk-read" in response["HX-Trigger"]
    assert unread_conversations_count(firm=firm, user=owner) == 0
    assert unread_conversations_count(firm=firm, user=member) == 1
    assert 'class="help-badge"' not in badge(owner_client)


def test_a_newer_reply_lights_the_badge_again(
    owner_client, conversation, support_user, owner, firm
):
    support_message_post(conversation=conversation, author=support_user, body="One")
    owner_client.get(f"/help/c/{conversation.pk}/thread/")
    assert unread_conversations_count(firm=firm, user=owner) == 0
    support_message_post(conversation=conversation, author=support_user, body="Two")
    assert unread_conversations_count(firm=firm, user=owner) == 1


def test_the_badge_polls_every_five_seconds(owner_client):
    html = owner_client.get("/invoices/").content.decode()
    assert 'hx-get="/help/badge/" hx-trigger="every 5s, helpdesk-read from:body"' in html


def test_another_firms_reply_does_not_light_this_badge(
    owner_client, other_firm, other_owner, support_user
):
    from firmpay.helpdesk.tests.conftest import make_conversation

    other = make_conversation(other_firm, other_owner)
    support_message_post(conversation=other, author=support_user, body="Hi")
    assert 'class="help-badge"' not in badge(owner_client)
