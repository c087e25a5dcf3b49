"""Two sweepers at once, in two processes against one PostgreSQL database, issue each due
occurrence once: SKIP LOCKED splits the schedules between them, and a schedule the other
committed is no longer due."""

import datetime
import multiprocessing

import pytest
from django.db import connection, connections

from firmpay.invoices.models import Invoice
from firmpay.recurring.models import ScheduleIssue
from firmpay.recurring.tests.helpers import UTC, firm_in, schedule_build

SCHEDULES_PER_FIRM = 60
ZONES = ["America/New_York", "Europe/London", "Pacific/Auckland"]
CREATED = datetime.datetime(2026, 5, 1, 0, 0, tzinfo=UTC)
SWEEP_AT = datetime.datetime(2026, 5, 1, 14, 3, tzinfo=UTC)  # after 07:00 in each zone


def _sweeper(barrier, results, repeats):
    import time_machine

    from firmpay.recurring import sweep

    connections.close_all()
    sweep.BATCH = 25  # many small batches, so the two interleave
    issued = 0
    barrier.wait(timeout=60)
    with time_machine.travel(SWEEP_AT, tick=False):
        for _ in range(repeats):
            issued += sweep.recurring_sweep().issued
    connections.close_all()
    results.put(issued)


@pytest.mark.django_db(transaction=True)
def test_two_sweepers_at_once_issue_each_occurrence_once():
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs a database two processes share: runs on PostgreSQL (DATABASE_URL), "
            "as in CI's PostgreSQL pass; pytest-django's SQLite test database is in memory"
        )
    schedules = [
        schedule_build(firm=firm, created_at=CREATED, start_date=datetime.date(2026, 5, 1))
        for firm in (firm_in(zone) for zone in ZONES)
        for _ in range(SCHEDULES_PER_FIRM)
    ]
    connections.close_all()
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(2)
    results = context.Queue()
    workers = [context.Process(target=_sweeper, args=(barrier, results, 2)) for _ in "ab"]
    for worker in workers:
        worker.start()
    issued = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0

    assert sum(issued) == len(schedules)
    assert ScheduleIssue.objects.count() == len(schedules)
    assert set(ScheduleIssue.objects.values_list("occurrence", flat=True)) == {1}
    numbers = Invoice.objects.values_list("firm_id", "number")
    assert len(set(numbers)) == len(schedules)
    for firm_id in {firm_id for firm_id, _ in numbers}:
        got = sorted(n for f, n in numbers if f == firm_id)
        assert got == [f"INV-{n:04d}" for n in range(1, SCHEDULES_PER_FIRM + 1)]


@pytest.mark.django_db(transaction=True)
def test_a_sweep_outside_a_transaction_splits_the_firms_and_issues_each_once(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("the firms are split between connections on PostgreSQL only")
    import time_machine

    from firmpay.recurring import sweep

    firms = [firm_in(zone) for zone in ZONES for _ in range(3)]
    schedules = [
        schedule_build(firm=firm, created_at=CREATED, start_date=datetime.date(2026, 5, 1))
        for firm in firms
        for _ in range(4)
    ]
    monkeypatch.setattr(sweep, "PG_WORKERS", 3)
    monkeypatch.setattr(sweep, "BATCH", 5)  # batches that end inside a firm
    with time_machine.travel(SWEEP_AT, tick=False):
        first = sweep.recurring_sweep()
        again = sweep.recurring_sweep()

    assert (first.issued, again.issued) == (len(schedules), 0)
    issued = list(ScheduleIssue.objects.values_list("schedule_id", "occurrence"))
    assert sorted(issued) == sorted((schedule.pk, 1) for schedule in schedules)
    numbers = list(Invoice.objects.values_list("firm_id", "number"))
    for firm in firms:
        assert sorted(n for f, n in numbers if f == firm.pk) == [
            f"INV-{n:04d}" for n in (1, 2, 3, 4)
        ]
