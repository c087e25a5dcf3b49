"""Ids in the help panel's and support inbox's query strings and posts that Python
half-accepts (issue 19, finding 3): never a 500."""

import pytest

from firmpay.helpdesk.models import Conversation, Message
from firmpay.helpdesk.tests.conftest import make_conversation

pytestmark = pytest.mark.django_db

HOSTILE = ["²", "٣", "１", "9" * 30, "9" * 10_000, "-1", "1e9", "NaN"]


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("name", ["conversation", "payment"])
def test_the_help_panel_ignores_ids_that_are_not_ids(owner_client, name, value):
    params = {name: value} | ({"topic": "payment_question"} if name == "payment" else {})
    assert owner_client.get("/help/", params).status_code == 200


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("name", ["conversation", "payment"])
def test_sending_with_an_id_that_is_not_an_id_is_refused_and_writes_nothing(
    owner_client, name, value
):
    response = owner_client.post(
        "/help/send/", {"body": "Hello", name: value, "tag": "payment_question"}
    )

    assert response.status_code == 400
    assert not Conversation.objects.exists() and not Message.objects.exists()


@pytest.mark.parametrize("value", HOSTILE)
def test_the_thread_poll_ignores_a_seen_that_is_not_an_id(owner_client, firm, owner, value):
    conversation = make_conversation(firm, owner)
    response = owner_client.get(f"/help/c/{conversation.pk}/thread/", {"seen": value})
    assert response.status_code == 200


@pytest.mark.parametrize("value", HOSTILE)
def test_the_support_inbox_firm_filter_takes_ids_or_names(support_client, value):
    assert support_client.get("/support/help/", {"firm": value}).status_code == 200
