"""On SQLite the sweep's connection checkpoints its WAL less often while it sweeps (a batch
dirties more pages than SQLite's default threshold), then hands the connection back as it
found it: a web or worker thread reusing it keeps SQLite's default."""

import pytest
from django.db import connection

from firmpay.invoices.tests.builders import invoice_hook_listening
from firmpay.recurring import sweep
from firmpay.recurring.models import Autopay
from firmpay.recurring.tests.helpers import firm_in, schedule_build
from firmpay.recurring.tests.test_sweep import MAY_1


def _checkpoint_pages() -> int:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        return cursor.fetchone()[0]


@pytest.fixture
def pages_during_batches():
    seen = []

    def listener(*, issued):
        seen.append(_checkpoint_pages())

    with invoice_hook_listening("issued_for_autopay", listener):
        yield seen


@pytest.mark.django_db(transaction=True)
def test_the_sweep_spaces_its_checkpoints_and_gives_the_connection_back(
    clock, pages_during_batches
):
    if connection.vendor != "sqlite":
        pytest.skip("WAL checkpoints are SQLite's; PostgreSQL's pass has nothing to space")
    before = _checkpoint_pages()
    schedule_build(firm=firm_in(), created_at=MAY_1, autopay=Autopay.ON_ISSUE)

    assert clock.sweep(MAY_1).issued == 1

    assert pages_during_batches == [sweep.SQLITE_CHECKPOINT_PAGES]
    assert sweep.SQLITE_CHECKPOINT_PAGES > before
    assert _checkpoint_pages() == before
