"""The issuing sweep: what it issues, once, and how schedules move on and end."""

import datetime

import pytest
from django.core import mail

from firmpay.invoices.models import Invoice, InvoiceStatus
from firmpay.invoices.tests.builders import invoice_build, invoice_hook_listening, line
from firmpay.recurring.models import Autopay, Frequency, ScheduleIssue, ScheduleStatus
from firmpay.recurring.tests.helpers import UTC, firm_in, schedule_build

pytestmark = pytest.mark.django_db

D = datetime.date
MAY_1 = datetime.datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def test_a_due_schedule_issues_a_sent_invoice_from_its_lines_and_emails_it(clock):
    firm = firm_in(payment_terms_days=14)
    schedule = schedule_build(
        firm=firm,
        created_at=MAY_1,
        lines=[line("Retainer", "1", 50000, "20"), line("Payroll", "3", 2500)],
        notes="Thank you",
    )

    assert clock.sweep(MAY_1).issued == 1

    invoice = Invoice.objects.get(firm=firm)
    assert invoice.status == InvoiceStatus.OPEN
    assert invoice.sent_at is not None
    assert (invoice.issue_date, invoice.due_date) == (D(2026, 5, 1), D(2026, 5, 15))
    assert (invoice.subtotal, invoice.tax_total, invoice.total) == (57500, 10000, 67500)
    assert invoice.amount_due == 67500
    assert [x.description for x in invoice.lines.all()] == ["Retainer", "Payroll"]
    assert invoice.notes == "Thank you"
    assert invoice.recurring_issue.schedule == schedule
    assert [message.to for message in mail.outbox] == [[schedule.client.email]]
    assert invoice.number in mail.outbox[0].subject


def test_a_second_sweep_the_same_day_issues_nothing(clock):
    schedule_build(firm=firm_in(), created_at=MAY_1)
    clock.sweep(MAY_1)

    assert clock.sweep(MAY_1 + datetime.timedelta(hours=1)).issued == 0
    assert Invoice.objects.count() == 1
    assert len(mail.outbox) == 1


def test_the_schedule_moves_on_to_its_next_month(clock):
    schedule = schedule_build(firm=firm_in(), created_at=MAY_1)
    clock.sweep(MAY_1)
    schedule.refresh_from_db()
    assert (schedule.next_issue_on, schedule.issued_count) == (D(2026, 6, 1), 1)
    assert clock.sweep_daily(MAY_1 + datetime.timedelta(days=1), 61) == 2
    issued = ScheduleIssue.objects.filter(schedule=schedule).order_by("occurrence")
    assert list(issued.values_list("occurrence", "issue_date")) == [
        (1, D(2026, 5, 1)),
        (2, D(2026, 6, 1)),
        (3, D(2026, 7, 1)),
    ]


def test_a_31st_schedule_issues_on_the_last_day_of_short_months(clock):
    start = datetime.datetime(2027, 1, 31, 12, tzinfo=UTC)
    schedule = schedule_build(firm=firm_in(), created_at=start, issue_day=31)
    clock.sweep_daily(start, 60)
    dates = ScheduleIssue.objects.filter(schedule=schedule).order_by("occurrence")
    assert list(dates.values_list("issue_date", flat=True)) == [
        D(2027, 1, 31),
        D(2027, 2, 28),
        D(2027, 3, 31),
    ]


def test_end_after_two_issues_ends_the_schedule(clock):
    schedule = schedule_build(firm=firm_in(), created_at=MAY_1, end_after_issues=2)
    assert clock.sweep_daily(MAY_1, 95) == 2
    schedule.refresh_from_db()
    assert (schedule.status, schedule.next_issue_on) == (ScheduleStatus.ENDED, None)


def test_an_end_date_stops_issuing_after_it(clock):
    schedule = schedule_build(
        firm=firm_in(), created_at=MAY_1, frequency=Frequency.WEEKLY, end_on=D(2026, 5, 20)
    )
    assert clock.sweep_daily(MAY_1, 40) == 3  # 1, 8 and 15 May
    schedule.refresh_from_db()
    assert schedule.status == ScheduleStatus.ENDED


def test_quarterly_schedule_issues_every_three_months(clock):
    schedule = schedule_build(firm=firm_in(), created_at=MAY_1, frequency=Frequency.QUARTERLY)
    assert clock.sweep_daily(MAY_1, 120) == 2
    schedule.refresh_from_db()
    assert schedule.next_issue_on == D(2026, 11, 1)


def test_numbers_continue_the_firms_sequence(clock):
    firm = firm_in()
    schedule = schedule_build(firm=firm, created_at=MAY_1)
    invoice_build(firm=firm, client=schedule.client)
    clock.sweep(MAY_1)
    assert sorted(Invoice.objects.filter(firm=firm).values_list("number", flat=True)) == [
        "INV-0001",
        "INV-0002",
    ]


def test_a_missed_day_is_caught_up_by_the_next_sweep(clock):
    schedule = schedule_build(firm=firm_in(), created_at=MAY_1)
    clock.sweep(MAY_1 + datetime.timedelta(days=2))
    assert ScheduleIssue.objects.get(schedule=schedule).issue_date == D(2026, 5, 1)


@pytest.fixture
def autopay_calls():
    calls = []

    def listener(*, issued):
        calls.extend((item.invoice_id, item.collect_on) for item in issued)

    with invoice_hook_listening("issued_for_autopay", listener):
        yield calls


def test_an_autopay_schedule_hands_its_invoice_to_the_autopay_hook(clock, autopay_calls):
    firm = firm_in()
    schedule_build(firm=firm, created_at=MAY_1, autopay=Autopay.ON_DUE_DATE)
    schedule_build(firm=firm, created_at=MAY_1)  # not collected automatically
    clock.sweep(MAY_1)
    autopay_invoice = Invoice.objects.get(recurring_issue__schedule__autopay=Autopay.ON_DUE_DATE)
    assert autopay_calls == [(autopay_invoice.pk, "on_due_date")]


def test_another_firms_schedules_and_numbers_are_their_own(clock):
    firm_a, firm_b = firm_in(), firm_in()
    schedule_build(firm=firm_a, created_at=MAY_1)
    schedule_build(firm=firm_b, created_at=MAY_1)
    clock.sweep(MAY_1)
    for firm in (firm_a, firm_b):
        invoice = Invoice.objects.get(firm=firm)
        assert invoice.number == "INV-0001"
        assert invoice.client.firm_id == firm.pk
        assert invoice.recurring_issue.firm_id == firm.pk
