"""Two sweepers at once, in two processes against one PostgreSQL database, send each
reminder once: the unique (invoice, step) constraint records it once, and the claim on
the row lets one worker email it."""

import datetime
import multiprocessing

import pytest
from django.db import connection, connections

from firmpay.reminders.models import ReminderSend, SendStatus
from firmpay.reminders.tests.helpers import firm_in, open_invoice

INVOICES_PER_FIRM = 40
ZONES = ["America/New_York", "Europe/London", "Asia/Tokyo"]
DUE = datetime.date(2026, 5, 20)
# 09:05 in each zone's due date falls in a different UTC hour: sweep at each in turn.
MOMENTS = [
    datetime.datetime(2026, 5, 20, 0, 5, tzinfo=datetime.UTC),  # Tokyo
    datetime.datetime(2026, 5, 20, 8, 5, tzinfo=datetime.UTC),  # London
    datetime.datetime(2026, 5, 20, 13, 5, tzinfo=datetime.UTC),  # New York
]


def _sweeper(barrier, results, moments):
    """One worker process: sweep at each moment, then deliver whatever it can claim."""
    import time_machine
    from django.core import mail

    from firmpay.reminders.outbox import reminder_outbox_drain
    from firmpay.reminders.services import reminders_sweep

    connections.close_all()
    mail.outbox = []
    recorded = 0
    for moment in moments:
        barrier.wait(timeout=60)
        with time_machine.travel(moment, tick=False):
            recorded += reminders_sweep().recorded
            # As another worker's outbox sweeper would, at the same time as the kick.
            reminder_outbox_drain()
    connections.close_all()
    results.put({"recorded": recorded, "emails": [m.to[0] for m in mail.outbox]})


@pytest.mark.django_db(transaction=True)
def test_two_sweepers_at_once_send_each_reminder_once():
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs a database two processes share: runs on PostgreSQL (DATABASE_URL), "
            "as in CI's PostgreSQL pass; pytest-django's SQLite test database is in memory"
        )
    invoices = [
        open_invoice(firm=firm, due_date=DUE)
        for firm in (firm_in(zone) for zone in ZONES)
        for _ in range(INVOICES_PER_FIRM)
    ]
    connections.close_all()
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(2)
    results = context.Queue()
    workers = [context.Process(target=_sweeper, args=(barrier, results, MOMENTS)) for _ in "ab"]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0

    emails = [address for outcome in outcomes for address in outcome["emails"]]
    assert sum(outcome["recorded"] for outcome in outcomes) == len(invoices)
    assert sorted(emails) == sorted(invoice.client.email for invoice in invoices)
    sends = ReminderSend.objects.all()
    assert sends.count() == len(invoices)
    assert set(sends.values_list("status", "step", "attempts")) == {(SendStatus.SENT, 0, 1)}


def _clicker(barrier, results, invoice_id):
    from firmpay.invoices.models import Invoice
    from firmpay.reminders.exceptions import ReminderRefused
    from firmpay.reminders.services import reminder_send_now

    connections.close_all()
    invoice = Invoice.objects.select_related("firm", "client").get(pk=invoice_id)
    barrier.wait(timeout=60)
    try:
        reminder_send_now(invoice=invoice)
        outcome = "sent"
    except ReminderRefused:
        outcome = "refused"
    connections.close_all()
    results.put(outcome)


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_send_now_clicks_send_one_reminder():
    if connection.vendor != "postgresql":
        pytest.skip("needs a database two processes share: runs on PostgreSQL")
    invoice = open_invoice(firm=firm_in("UTC"), due_date=DUE)
    connections.close_all()
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(2)
    results = context.Queue()
    workers = [context.Process(target=_clicker, args=(barrier, results, invoice.pk)) for _ in "ab"]
    for worker in workers:
        worker.start()
    outcomes = sorted(results.get(timeout=60) for _ in workers)
    for worker in workers:
        worker.join(timeout=30)
    assert outcomes == ["refused", "sent"]
    assert ReminderSend.objects.filter(invoice=invoice).count() == 1
