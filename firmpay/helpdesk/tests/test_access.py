"""Only members of the firm see and write to its conversations; support staff see all;
anyone else gets 404 (anonymous visitors are asked to log in)."""

from __future__ import annotations

import pytest

from firmpay.helpdesk.models import Message
from firmpay.tenancy.tests.factories import client_for, make_user

pytestmark = pytest.mark.django_db

SUPPORT_PAGES = ("", "thread/")
SUPPORT_POSTS = {"reply/": {"body": "hi"}, "status/": {"status": "closed"}, "disconnect/": {}}


def test_member_of_another_firm_cannot_read_the_conversation(other_client, conversation):
    assert other_client.get(f"/help/c/{conversation.pk}/thread/").status_code == 404
    assert other_client.get(f"/help/?conversation={conversation.pk}").status_code == 404


def test_member_of_another_firm_cannot_post_to_the_conversation(other_client, conversation):
    response = other_client.post(
        "/help/send/", {"body": "injected", "conversation": conversation.pk}
    )
    assert response.status_code == 404
    assert not Message.objects.filter(body="injected").exists()


def test_another_firms_panel_does_not_list_the_conversation(other_client, conversation):
    html = other_client.get("/help/", HTTP_HX_REQUEST="true").content.decode()
    assert "Where is my payout?" not in html


def test_a_member_of_the_firm_reads_the_conversation(member_client, conversation):
    response = member_client.get(f"/help/c/{conversation.pk}/thread/")
    assert response.status_code == 200
    assert "Where is my payout?" in response.content.decode()


def test_a_user_without_a_firm_gets_404(db, conversation):
    lone = client_for(make_user())
    assert lone.get("/help/").status_code == 404
    assert lone.get(f"/help/c/{conversation.pk}/thread/").status_code == 404
    assert lone.post("/help/send/", {"body": "x"}).status_code == 404


def test_anonymous_visitors_are_asked_to_log_in(client, conversation):
    response = client.get(f"/help/c/{conversation.pk}/thread/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_support_pages_are_404_to_firm_members(owner_client, conversation):
    base = f"/support/help/{conversation.pk}/"
    assert owner_client.get("/support/help/").status_code == 404
    for suffix in SUPPORT_PAGES:
        assert owner_client.get(base + suffix).status_code == 404
    for suffix, data in SUPPORT_POSTS.items():
        assert owner_client.post(base + suffix, data).status_code == 404
    assert conversation.messages.count() == 1


def test_support_staff_see_every_firms_conversation(support_client, conversation):
    assert support_client.get("/support/help/").status_code == 200
    response = support_client.get(f"/support/help/{conversation.pk}/")
    assert response.status_code == 200
    assert "Where is my payout?" in response.content.decode()
