"""The support inbox follows new conversations by itself (issue 18): an htmx poll is
answered 204 while nothing changed, and with the inbox again once a firm wrote."""

import re

import pytest

from firmpay.helpdesk.tests.conftest import make_conversation

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def poll_url(page: str) -> str:
    match = re.search(r'id="help-inbox-live" hx-get="([^"]+)" hx-trigger="every \d+s"', page)
    return match.group(1).replace("&amp;", "&")


def test_the_inbox_poll_hears_nothing_while_nothing_changes(support_client, conversation):
    url = poll_url(support_client.get("/support/help/").content.decode())
    answer = support_client.get(url, headers=HTMX)
    assert answer.status_code == 204


def test_a_new_conversation_reaches_the_open_inbox(
    support_client, conversation, other_firm, other_owner
):
    url = poll_url(support_client.get("/support/help/?status=open").content.decode())
    assert "status=open" in url
    make_conversation(other_firm, other_owner, body="Payout missing since Monday")
    page = support_client.get(url, headers=HTMX).content.decode()
    assert "Payout missing since Monday" in page
