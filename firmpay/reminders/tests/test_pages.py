"""The firm's reminder pages, the invoice panel, and the client's unsubscribe link."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from firmpay.clients.tests.builders import member_build
from firmpay.core.models import AuditRecord
from firmpay.reminders.models import ReminderPolicy, ReminderSend
from firmpay.reminders.tests.helpers import firm_in, open_invoice
from firmpay.reminders.tokens import unsubscribe_token
from firmpay.tenancy.models import Role

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 5, 18, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def firm():
    return firm_in("Europe/London")


@pytest.fixture
def owner(client, firm):
    client.force_login(member_build(firm=firm, role=Role.OWNER))
    return client


@pytest.fixture
def staff(client, firm):
    client.force_login(member_build(firm=firm, role=Role.STAFF))
    return client


@pytest.fixture
def invoice(firm):
    return open_invoice(firm=firm, due_date=datetime.date(2026, 5, 20))


def policy_data(**overrides):
    data = {
        "enabled": "on",
        "send_hour": "10",
        "repeat_every_days": "7",
        "max_repeats": "2",
        "steps-TOTAL_FORMS": "2",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "20",
        "steps-0-offset_days": "-2",
        "steps-0-subject": "{invoice_number} due soon",
        "steps-0-body": "Dear {client_name}, {amount_due} is due on {due_date}: {pay_link}",
        "steps-1-offset_days": "5",
        "steps-1-subject": "{invoice_number} overdue",
        "steps-1-body": "Dear {client_name}, please pay {amount_due}: {pay_link}",
    }
    return data | overrides


def test_the_policy_page_shows_the_default_steps(owner):
    response = owner.get(reverse("reminders:policy"))
    steps = response.context["steps"]
    assert [form.initial["offset_days"] for form in steps.initial_forms] == [-3, 0, 7, 14]
    assert response.context["form"].initial["send_hour"] == 9


def test_the_owner_saves_a_policy(owner, firm):
    response = owner.post(reverse("reminders:policy"), policy_data())
    assert response.status_code == 302
    policy = ReminderPolicy.objects.get(firm=firm)
    assert (policy.enabled, policy.send_hour, policy.repeat_every_days) == (True, 10, 7)
    assert list(policy.steps.values_list("offset_days", flat=True)) == [-2, 5]
    assert AuditRecord.objects.filter(action="reminders.policy_update", firm=firm).exists()


def test_an_unknown_placeholder_is_a_form_error_and_saves_nothing(owner, firm):
    response = owner.post(
        reverse("reminders:policy"),
        policy_data(**{"steps-1-body": "Pay {amount} by {due_date.year} {client_name}"}),
    )
    assert response.status_code == 200
    errors = response.context["steps"].forms[1].errors["body"]
    assert errors == [
        "Unknown placeholders {amount}, {due_date.year}. You can use {client_name}, "
        "{invoice_number}, {amount_due}, {due_date}, {pay_link}."
    ]
    assert not ReminderPolicy.objects.filter(firm=firm).exists()


def test_a_lone_brace_is_a_form_error(owner):
    response = owner.post(
        reverse("reminders:policy"), policy_data(**{"steps-0-subject": "Invoice {invoice_number"})
    )
    assert "is not closed" in response.context["steps"].forms[0].errors["subject"][0]


def test_two_steps_on_the_same_day_are_refused(owner):
    response = owner.post(reverse("reminders:policy"), policy_data(**{"steps-1-offset_days": "-2"}))
    assert response.context["steps"].forms[1].errors["offset_days"] == [
        "Two steps fall on the same day."
    ]


def test_policy_errors_sit_inside_their_field(owner):
    """A <ul> cannot live in a <p>: the browser moved each error into a grid cell of its own."""
    response = owner.post(reverse("reminders:policy"), policy_data(**{"steps-1-offset_days": "-2"}))
    html = response.content.decode()
    field = html.split('<div class="field field-offset_days">')[2].split("</div>")[0]
    assert "Two steps fall on the same day." in field
    assert '<span class="helptext" id="id_steps-1-offset_days_helptext">' in field
    assert "<p><label" not in html
    assert "Send at:" not in html and "Days from due date:" not in html


def test_staff_cannot_change_the_policy(staff):
    assert staff.get(reverse("reminders:policy")).status_code == 403
    assert staff.post(reverse("reminders:policy"), policy_data()).status_code == 403


def test_the_overview_lists_reminders_due_in_the_next_7_days(staff, invoice, firm):
    later = open_invoice(firm=firm, due_date=datetime.date(2026, 6, 30))
    elsewhere = open_invoice(firm=firm_in("Europe/London"), due_date=invoice.due_date)
    with time_machine.travel(NOW, tick=False):
        response = staff.get(reverse("reminders:overview"))
    upcoming = [
        (item.invoice, item.step, item.moment.hour) for item in response.context["upcoming"]
    ]
    # Due 20 May: "-3" went out on 17 May; "on the day" on 20 May; "+7" on 27 May is 9 days out.
    assert upcoming == [(invoice, 0, 9)]
    assert later.number not in response.content.decode()
    assert elsewhere.client.name not in response.content.decode()  # another firm's invoice
    assert "20 May, 09:00" in response.content.decode()


def test_the_invoice_panel_shows_the_next_reminder_and_history(staff, invoice):
    with time_machine.travel(NOW, tick=False):
        response = staff.get(reverse("reminders:invoice_panel", args=[invoice.pk]))
    body = response.content.decode()
    assert "Next reminder: On the due date, 20 May 2026 at 09:00 (Europe/London)" in body
    assert "No reminders sent yet." in body


def test_the_invoice_page_includes_the_reminders_panel(staff, invoice):
    response = staff.get(reverse("invoices:detail", args=[invoice.pk]))
    assert reverse("reminders:invoice_panel", args=[invoice.pk]) in response.content.decode()


def test_send_now_then_refused_the_second_time_with_a_message(
    staff, invoice, django_capture_on_commit_callbacks
):
    url = reverse("reminders:send_now", args=[invoice.pk])
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        first = staff.post(url, headers={"HX-Request": "true"})
        second = staff.post(url, headers={"HX-Request": "true"})
    assert (
        f"Reminder for {invoice.number} sent to {invoice.client.email}." in first.content.decode()
    )
    assert "already sent by hand at 13:00" in second.content.decode()
    assert ReminderSend.objects.count() == 1
    assert len(mail.outbox) == 1


def test_send_now_without_htmx_redirects_with_a_message(staff, invoice):
    response = staff.post(reverse("reminders:send_now", args=[invoice.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("invoices:detail", args=[invoice.pk])
    assert "Reminder for" in response.content.decode()


def test_pause_and_resume_from_the_panel(staff, invoice):
    url = reverse("reminders:pause", args=[invoice.pk])
    paused = staff.post(url, {"action": "pause"}, headers={"HX-Request": "true"})
    assert "Automatic reminders are paused" in paused.content.decode()
    resumed = staff.post(url, {"action": "resume"}, headers={"HX-Request": "true"})
    assert "Automatic reminders resumed." in resumed.content.decode()
    assert invoice.reminder_state.paused_at is None


def test_another_firms_invoice_is_not_found(staff):
    other = open_invoice(firm=firm_in("UTC"), due_date=datetime.date(2026, 5, 20))
    assert staff.get(reverse("reminders:invoice_panel", args=[other.pk])).status_code == 404
    assert staff.post(reverse("reminders:send_now", args=[other.pk])).status_code == 404
    assert ReminderSend.objects.count() == 0


def test_the_unsubscribe_link_asks_then_opts_the_client_out_and_tells_the_firm(
    client, invoice, django_capture_on_commit_callbacks
):
    url = reverse("reminders:unsubscribe", args=[unsubscribe_token(invoice.client_id)])
    page = client.get(url)
    assert "Stop payment reminders?" in page.content.decode()
    invoice.client.refresh_from_db()
    assert invoice.client.reminders_opt_out is False  # a GET (a link scanner) changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url)
        client.post(url)  # twice: one notice
    assert "You will get no more payment reminders" in done.content.decode()
    invoice.client.refresh_from_db()
    assert invoice.client.reminders_opt_out is True
    [notice] = mail.outbox
    assert notice.to == [invoice.firm.email]
    assert notice.subject == f"{invoice.client.name} unsubscribed from payment reminders"


def test_the_unsubscribe_notice_goes_to_the_owners_without_a_firm_email(
    client, invoice, firm, django_capture_on_commit_callbacks
):
    firm.email = ""
    firm.save()
    owner = member_build(firm=firm, role=Role.OWNER, email="boss@firm.test")
    member_build(firm=firm, role=Role.STAFF, email="clerk@firm.test")
    url = reverse("reminders:unsubscribe", args=[unsubscribe_token(invoice.client_id)])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    [notice] = mail.outbox
    assert notice.to == [owner.email]


def test_a_tampered_unsubscribe_link_is_not_found(client, invoice):
    token = unsubscribe_token(invoice.client_id)
    tampered = str(invoice.client_id + 1) + token[token.index(":") :]
    assert client.post(reverse("reminders:unsubscribe", args=[tampered])).status_code == 404
