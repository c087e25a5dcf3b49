"""Invoices → Recurring: the firm's pages."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from firmpay.clients.tests.builders import client_build, firm_build, member_build
from firmpay.recurring.models import Frequency, Schedule, ScheduleStatus
from firmpay.recurring.tests.helpers import UTC, schedule_build
from firmpay.tenancy.models import Role

pytestmark = pytest.mark.django_db

MAY_1 = datetime.datetime(2026, 5, 1, 12, tzinfo=UTC)


@pytest.fixture
def firm():
    return firm_build(default_currency="USD", payment_terms_days=30)


@pytest.fixture
def acme(firm):
    return client_build(firm=firm, name="Acme Ltd")


@pytest.fixture
def staff(client, firm):
    client.force_login(member_build(firm=firm, role=Role.STAFF))
    return client


def form_data(client_id, lines, **fields):
    data = {
        "client": client_id,
        "currency": "USD",
        "frequency": "monthly",
        "every_weeks": "1",
        "start_date": "2030-01-01",
        "issue_day": "31",
        "end_after_issues": "",
        "end_on": "",
        "payment_terms_days": "",
        "autopay": "no",
        "notes": "",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "100",
    } | fields
    for index, values in enumerate(lines):
        for key, value in values.items():
            data[f"lines-{index}-{key}"] = value
    return data


RETAINER = {"description": "Retainer", "quantity": "1", "unit_price": "500.00", "tax_rate": ""}


def test_staff_creates_a_monthly_schedule_with_lines(staff, acme):
    response = staff.post(
        reverse("recurring:create"), form_data(acme.pk, [RETAINER], autopay="on_due_date")
    )
    schedule = Schedule.objects.get()
    assert response["Location"] == reverse("recurring:detail", args=[schedule.pk])
    assert (schedule.frequency, schedule.issue_day, schedule.autopay) == (
        Frequency.MONTHLY,
        31,
        "on_due_date",
    )
    assert schedule.next_issue_on == datetime.date(2030, 1, 31)
    assert [(x.description, x.unit_amount) for x in schedule.lines.all()] == [("Retainer", 50000)]
    page = staff.get(reverse("recurring:list")).content.decode()
    assert "Acme Ltd" in page and "31 Jan 2030" in page


def test_errors_show_next_to_their_fields_and_nothing_is_saved(staff, acme):
    bad_line = RETAINER | {"unit_price": "abc"}
    response = staff.post(
        reverse("recurring:create"),
        form_data(acme.pk, [bad_line], issue_day="32", end_on="2029-01-01"),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"issue_day", "end_on"}
    assert response.context["lines"].forms[0].errors["unit_price"]
    assert 'class="errorlist' in response.content.decode()
    assert not Schedule.objects.exists()


def test_add_line_posts_back_one_more_line_and_saves_nothing(staff, acme):
    response = staff.post(reverse("recurring:create"), form_data(acme.pk, [RETAINER], add_line="1"))
    assert len(response.context["lines"].forms) == 2
    assert not Schedule.objects.exists()


def test_editing_changes_the_schedule_from_the_next_issue(staff, firm, acme):
    schedule = schedule_build(firm=firm, client=acme, created_at=MAY_1)
    edit = RETAINER | {"unit_price": "650"}
    staff.post(
        reverse("recurring:edit", args=[schedule.pk]),
        form_data(acme.pk, [edit], start_date="2026-05-01", issue_day="15"),
    )
    schedule.refresh_from_db()
    assert schedule.issue_day == 15
    assert schedule.lines.get().unit_amount == 65000


def test_pause_resume_and_end_buttons(staff, firm, acme):
    schedule = schedule_build(firm=firm, client=acme, created_at=MAY_1)
    detail = reverse("recurring:detail", args=[schedule.pk])
    assert staff.get(reverse("recurring:pause", args=[schedule.pk])).status_code == 405
    assert staff.post(reverse("recurring:pause", args=[schedule.pk]))["Location"] == detail
    schedule.refresh_from_db()
    assert schedule.status == ScheduleStatus.PAUSED
    staff.post(reverse("recurring:resume", args=[schedule.pk]))
    schedule.refresh_from_db()
    assert schedule.status == ScheduleStatus.ACTIVE
    staff.post(reverse("recurring:end", args=[schedule.pk]))
    schedule.refresh_from_db()
    assert schedule.status == ScheduleStatus.ENDED


def test_the_invoices_list_labels_invoices_from_a_schedule_in_one_query(staff, firm, acme, clock):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            page = staff.get(reverse("invoices:list")).content.decode()
        return page, len(captured.captured_queries)

    schedule = schedule_build(firm=firm, client=acme, created_at=MAY_1)
    clock.sweep(MAY_1)
    queries()  # warm: once-per-user rows on a first request
    page, few = queries()
    link = reverse("recurring:detail", args=[schedule.pk])
    assert page.count(f'href="{link}"') == 1
    others = [schedule_build(firm=firm, created_at=MAY_1) for _ in range(10)]
    clock.sweep(MAY_1 + datetime.timedelta(hours=1))
    page, many = queries()
    assert page.count('class="badge invoice-label"') == 11
    for other in others:  # each invoice links to its own schedule
        assert page.count(f'href="{reverse("recurring:detail", args=[other.pk])}"') == 1
    assert many == few


def test_another_firms_schedule_is_404_and_unchanged(staff):
    other = firm_build()
    theirs = schedule_build(firm=other, created_at=MAY_1)
    for name in ("detail", "edit"):
        assert staff.get(reverse(f"recurring:{name}", args=[theirs.pk])).status_code == 404
    for name in ("pause", "end"):
        assert staff.post(reverse(f"recurring:{name}", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == ScheduleStatus.ACTIVE
    listing = staff.get(reverse("recurring:list")).content.decode()
    assert reverse("recurring:detail", args=[theirs.pk]) not in listing
