"""'Recently sent' on the reminders page lists reminders that went out, not the ones that
were skipped, failed or are still waiting (issue 18, point 9)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from firmpay.clients.tests.builders import member_build
from firmpay.reminders.models import ReminderSend, SendStatus
from firmpay.reminders.tests.helpers import firm_in, open_invoice
from firmpay.tenancy.models import Role

pytestmark = pytest.mark.django_db


def test_only_sent_reminders_are_listed_as_recently_sent(client):
    firm = firm_in("Europe/London")
    client.force_login(member_build(firm=firm, role=Role.STAFF))
    invoice = open_invoice(firm=firm, due_date=datetime.date(2026, 5, 20))
    for step, status in enumerate(
        [SendStatus.SENT, SendStatus.SKIPPED, SendStatus.FAILED, SendStatus.PENDING]
    ):
        ReminderSend.objects.create(
            firm=firm,
            invoice=invoice,
            step=step,
            reminder_day=datetime.date(2026, 5, 20 + step),
            status=status,
            sent_at=timezone.now() if status == SendStatus.SENT else None,
            subject=f"reminder {status}",
        )
    page = client.get(reverse("reminders:overview")).content.decode()
    recent = page[page.index("Recently sent") :]
    assert recent.count('<span class="badge sent">Sent</span>') == 1
    for status in ("skipped", "failed", "pending"):
        assert f'class="badge {status}"' not in recent
