"""Each step goes out exactly once, at the firm's send hour on its own wall clock, across
timezones and daylight-saving changes."""

import datetime

import pytest
from django.core import mail

from firmpay.reminders.models import ReminderSend, SendStatus
from firmpay.reminders.tests.helpers import at, firm_in, open_invoice

pytestmark = pytest.mark.django_db

DEFAULT_STEPS = [-3, 0, 7, 14]

# Due dates chosen so the steps straddle each zone's 2026 daylight-saving change.
ZONES = {
    "America/New_York": datetime.date(2026, 3, 6),  # EST -> EDT on 8 March
    "Europe/London": datetime.date(2026, 3, 27),  # GMT -> BST on 29 March
    "Asia/Tokyo": datetime.date(2026, 3, 20),  # no daylight saving
    "Pacific/Auckland": datetime.date(2026, 4, 3),  # NZDT -> NZST on 5 April
}


@pytest.mark.parametrize("zone", list(ZONES))
def test_each_step_is_sent_once_at_nine_local_time(clock, zone):
    due = ZONES[zone]
    firm = firm_in(zone)
    invoice = open_invoice(firm=firm, due_date=due)
    start = at(zone, *(due - datetime.timedelta(days=5)).timetuple()[:3])
    end = at(zone, *(due + datetime.timedelta(days=16)).timetuple()[:3])

    recorded = clock.sweep_hourly(start, end)

    sends = [(moment, row) for moment, rows in recorded for row in rows]
    assert [row.step for _, row in sends] == DEFAULT_STEPS
    for moment, row in sends:
        local = moment.astimezone(at(zone, 2026, 1, 1).tzinfo)
        assert (local.hour, local.minute) == (9, 5), f"step {row.step} went out at {local}"
        assert local.date() == due + datetime.timedelta(days=row.step)
        assert row.reminder_day == local.date()
    assert ReminderSend.objects.filter(invoice=invoice, status=SendStatus.SENT).count() == 4
    assert len(mail.outbox) == 4
    assert {message.to[0] for message in mail.outbox} == {invoice.client.email}


def test_a_send_hour_skipped_by_spring_forward_goes_out_in_the_next_hour(clock):
    # New York, 8 March 2026: 02:00 EST jumps to 03:00 EDT, so 02:xx never happens.
    firm = firm_in("America/New_York")
    from firmpay.reminders.schedule import default_step_text
    from firmpay.reminders.services import reminder_policy_update

    reminder_policy_update(
        firm=firm,
        enabled=True,
        send_hour=2,
        repeat_every_days=0,
        max_repeats=0,
        steps=[default_step_text(0)],
    )
    open_invoice(firm=firm, due_date=datetime.date(2026, 3, 8))

    recorded = clock.sweep_hourly(
        at("America/New_York", 2026, 3, 7, 12), at("America/New_York", 2026, 3, 9, 12)
    )

    [(moment, [row])] = recorded
    local = moment.astimezone(at("America/New_York", 2026, 1, 1).tzinfo)
    assert (local.date(), local.hour) == (datetime.date(2026, 3, 8), 3)
    assert row.step == 0


def test_a_send_hour_repeated_by_fall_back_sends_once(clock):
    # New York, 1 November 2026: 01:00-02:00 happens twice (EDT, then EST).
    firm = firm_in("America/New_York")
    from firmpay.reminders.schedule import default_step_text
    from firmpay.reminders.services import reminder_policy_update

    reminder_policy_update(
        firm=firm,
        enabled=True,
        send_hour=1,
        repeat_every_days=0,
        max_repeats=0,
        steps=[default_step_text(0)],
    )
    open_invoice(firm=firm, due_date=datetime.date(2026, 11, 1))

    recorded = clock.sweep_hourly(
        at("America/New_York", 2026, 10, 31, 12), at("America/New_York", 2026, 11, 2, 12)
    )

    [(moment, [row])] = recorded
    assert moment == datetime.datetime(2026, 11, 1, 5, 5, tzinfo=datetime.UTC)  # 01:05 EDT
    assert len(mail.outbox) == 1


def test_firms_in_different_zones_are_reminded_at_their_own_nine(clock):
    due = datetime.date(2026, 6, 10)
    tokyo = open_invoice(firm=firm_in("Asia/Tokyo"), due_date=due)
    london = open_invoice(firm=firm_in("Europe/London"), due_date=due)
    new_york = open_invoice(firm=firm_in("America/New_York"), due_date=due)

    recorded = clock.sweep_hourly(
        at("Asia/Tokyo", 2026, 6, 10, 0), at("Asia/Tokyo", 2026, 6, 11, 23)
    )

    firsts = {row.invoice_id: moment for moment, rows in recorded for row in rows}
    assert firsts == {
        tokyo.pk: datetime.datetime(2026, 6, 10, 0, 5, tzinfo=datetime.UTC),  # 09:05 JST
        london.pk: datetime.datetime(2026, 6, 10, 8, 5, tzinfo=datetime.UTC),  # 09:05 BST
        new_york.pk: datetime.datetime(2026, 6, 10, 13, 5, tzinfo=datetime.UTC),  # 09:05 EDT
    }
