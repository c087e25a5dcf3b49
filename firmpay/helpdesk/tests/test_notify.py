"""Support replies: members who are not online (no request in five minutes) get an email,
after commit; members online do not."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from firmpay.helpdesk.models import Presence
from firmpay.helpdesk.services import presence_touch, support_message_post

pytestmark = pytest.mark.django_db


def test_offline_members_get_an_email_online_ones_do_not(
    conversation, support_user, owner, member, django_capture_on_commit_callbacks
):
    Presence.objects.create(user=owner, last_seen_at=timezone.now() - timedelta(minutes=1))
    Presence.objects.create(user=member, last_seen_at=timezone.now() - timedelta(minutes=6))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        support_message_post(conversation=conversation, author=support_user, body="Fixed it")
    assert mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert [m.to for m in mail.outbox] == [[member.email]]
    assert "Fixed it" in mail.outbox[0].body
    assert "Firmpay support replied" in mail.outbox[0].subject


def test_a_member_never_seen_is_offline(
    conversation, support_user, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        support_message_post(conversation=conversation, author=support_user, body="Hello")
    assert [m.to for m in mail.outbox] == [[owner.email]]


def test_a_request_marks_the_member_online(owner_client, owner):
    owner_client.get("/invoices/")
    seen = Presence.objects.get(user=owner).last_seen_at
    assert timezone.now() - seen < timedelta(seconds=5)


def test_presence_is_written_at_most_once_a_minute(owner):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        presence_touch(user=owner)
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        presence_touch(user=owner)
        assert Presence.objects.get(user=owner).last_seen_at == start
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        presence_touch(user=owner)
        assert Presence.objects.get(user=owner).last_seen_at == start + timedelta(seconds=61)


def test_firm_messages_send_no_email(owner_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post("/help/send/", {"body": "Hi"})
    assert mail.outbox == []
