"""The support inbox: overdue first (unanswered for more than one business day, weekends
not counted), then other unanswered conversations, then the rest; filters by topic and firm."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from firmpay.helpdesk.business_days import is_overdue, overdue_threshold
from firmpay.helpdesk.selectors import support_inbox
from firmpay.helpdesk.services import conversation_status_set, support_message_post
from firmpay.helpdesk.tests.conftest import make_conversation

pytestmark = pytest.mark.django_db

FRI_10 = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
SAT_10 = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
MON_09 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
MON_12 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def at(moment):
    return time_machine.travel(moment, tick=False)


@pytest.mark.parametrize(
    ("since", "now", "overdue"),
    [
        (
            datetime(2026, 11, 24, 10, 0, tzinfo=UTC),
            datetime(2026, 11, 25, 9, 59, tzinfo=UTC),
            False,
        ),
        (
            datetime(2026, 11, 24, 10, 0, tzinfo=UTC),
            datetime(2026, 11, 25, 10, 0, tzinfo=UTC),
            True,
        ),
        (FRI_10, datetime(2026, 11, 22, 23, 0, tzinfo=UTC), False),  # the weekend does not count
        (FRI_10, datetime(2026, 11, 23, 9, 59, tzinfo=UTC), False),
        (FRI_10, datetime(2026, 11, 23, 10, 0, tzinfo=UTC), True),
        (SAT_10, datetime(2026, 11, 23, 23, 59, tzinfo=UTC), False),  # counted from Monday 00:00
        (SAT_10, datetime(2026, 11, 24, 0, 0, tzinfo=UTC), True),
    ],
)
def test_one_business_day_skips_the_weekend(since, now, overdue):
    assert is_overdue(since, now=now) is overdue


def test_threshold_on_a_weekend_is_friday_start_of_business_day():
    assert overdue_threshold(SAT_10) == datetime(2026, 11, 20, 0, 0, tzinfo=UTC)


def test_overdue_conversation_is_listed_first_and_marked(
    support_client, firm, owner, other_firm, other_owner, support_user
):
    with at(FRI_10):
        old = make_conversation(firm, owner, body="Payout missing since Friday")
    with at(MON_09):
        answered = make_conversation(other_firm, other_owner, body="Answered already")
        support_message_post(conversation=answered, author=support_user, body="Done")
        recent = make_conversation(other_firm, other_owner, body="Fresh question")
    with at(MON_12):
        rows = support_inbox()
        html = support_client.get("/support/help/").content.decode()
    assert [row.pk for row in rows] == [old.pk, recent.pk, answered.pk]
    assert [row.overdue for row in rows] == [True, False, False]
    assert [row.unanswered for row in rows] == [True, True, False]
    assert html.index("Payout missing since Friday") < html.index("Fresh question")
    assert html.count(">Overdue<") == 1
    assert f'data-conversation="{old.pk}" class="overdue"' in html


def test_not_overdue_before_one_business_day(firm, owner):
    with at(FRI_10):
        make_conversation(firm, owner)
    with at(datetime(2026, 11, 23, 9, 0, tzinfo=UTC)):
        assert [row.overdue for row in support_inbox()] == [False]


def test_a_reply_takes_it_off_the_unanswered_list(firm, owner, support_user):
    with at(FRI_10):
        conversation = make_conversation(firm, owner)
    with at(MON_12):
        support_message_post(conversation=conversation, author=support_user, body="Hi")
        (row,) = support_inbox()
    assert not row.overdue and not row.unanswered


def test_closed_conversations_leave_the_default_inbox(firm, owner, support_user):
    conversation = make_conversation(firm, owner)
    conversation_status_set(conversation=conversation, status="closed", actor=support_user)
    assert support_inbox() == []
    assert [row.pk for row in support_inbox(status="closed")] == [conversation.pk]
    assert [row.pk for row in support_inbox(status="all")] == [conversation.pk]


def test_filter_by_topic_and_firm(support_client, firm, owner, other_firm, other_owner):
    disconnect = make_conversation(firm, owner, body="Disconnect us", tag="stripe_disconnect")
    make_conversation(other_firm, other_owner, body="General thing")
    assert [r.pk for r in support_inbox(tag="stripe_disconnect")] == [disconnect.pk]
    assert [r.pk for r in support_inbox(firm_query=firm.name[:6].lower())] == [disconnect.pk]
    assert [r.pk for r in support_inbox(firm_query=str(firm.pk))] == [disconnect.pk]
    html = support_client.get(f"/support/help/?tag=general&firm={other_firm.pk}").content.decode()
    assert "General thing" in html and "Disconnect us" not in html
