"""A real worker process SIGKILLed between the Stripe call and our commit: the sandbox holds
one PaymentIntent for the invoice, and a second worker, once the attempt is stale, re-drives
it with the same key — the invoice is paid once and the client emailed once.

The first worker is a separate process (`autopay_worker`) on the test's database and the
in-process sandbox over HTTP. PostgreSQL: it opens the test database itself (the test
commits, `transaction=True`). SQLite: the test database lives in memory, so the test copies
it to a file for the worker and copies the worker's file back afterwards."""

from __future__ import annotations

import datetime
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from firmpay.payments.autopay.charges import KILL_AFTER_STRIPE_ENV, autopay_sweep, stale_after
from firmpay.payments.autopay.models import AutopayAttempt, InvoiceAutopay
from firmpay.payments.online.models import OnlinePayment
from firmpay.payments.tests.autopay_helpers import (
    authorised,
    intents,
    live_account,
    new_client,
    sent_to,
)

pytestmark = [
    pytest.mark.usefixtures("stripe_settings"),
    pytest.mark.django_db(transaction=True),
]
ROOT = Path(__file__).resolve().parents[3]


def _database_url(tmp_path: Path) -> str:
    if connection.vendor == "sqlite":
        path = tmp_path / "worker.sqlite3"
        target = sqlite3.connect(path)
        connection.ensure_connection()
        connection.connection.backup(target)
        target.close()
        return f"sqlite:///{path}"
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def _take_back(database_url: str) -> None:
    """SQLite: the worker's writes, back into the test's in-memory database."""
    if connection.vendor == "sqlite":
        connection.close()
        connection.ensure_connection()
        source = sqlite3.connect(database_url.removeprefix("sqlite:///"))
        source.backup(connection.connection)
        source.close()


def _worker(tmp_path: Path, stripe_sandbox, database_url: str, **extra: str):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": database_url,
        "FIRMPAY_DATA_DIR": str(tmp_path / "worker-data"),
        "STRIPE_API_BASE": stripe_sandbox.base_url,
        "STRIPE_SECRET_KEY": stripe_sandbox.secret_key,
        "STRIPE_CONNECT_CLIENT_ID": stripe_sandbox.client_id,
        "STRIPE_SANDBOX_MODE": "1",
        **extra,
    }
    return subprocess.run(
        [sys.executable, "-m", "firmpay.payments.tests.autopay_worker"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_worker_sigkilled_between_the_stripe_call_and_our_commit_charges_once(
    stripe_sandbox, firm, tmp_path
):
    account = live_account(stripe_sandbox, firm)
    client = new_client(firm)
    authorised(stripe_sandbox, client)
    invoice = sent_to(client)
    mail.outbox.clear()

    database_url = _database_url(tmp_path)
    killed = _worker(tmp_path, stripe_sandbox, database_url, **{KILL_AFTER_STRIPE_ENV: "1"})
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    _take_back(database_url)

    # The sandbox created the PaymentIntent; our rows still say the attempt is in flight.
    (first,) = intents(stripe_sandbox, account.stripe_account_id)
    assert first.metadata["firmpay_invoice_id"] == str(invoice.pk)
    attempt = AutopayAttempt.objects.get()
    assert attempt.status == "started" and attempt.payment_intent_id == ""
    invoice.refresh_from_db()
    assert invoice.status == "open" and invoice.amount_due == invoice.total
    assert not list((tmp_path / "worker-data" / "outbox").glob("*"))  # nobody emailed

    # A second worker: nothing while the attempt could still be a live worker's...
    assert autopay_sweep().picked == 0
    # ...then, once stale, the same key: Stripe answers the same PaymentIntent.
    later = timezone.now() + stale_after() + datetime.timedelta(seconds=1)
    assert autopay_sweep(now=later).charged == 1
    assert autopay_sweep(now=later).picked == 0

    for_invoice = [
        i
        for i in intents(stripe_sandbox, account.stripe_account_id)
        if i.metadata["firmpay_invoice_id"] == str(invoice.pk)
    ]
    assert [i.id for i in for_invoice] == [first.id] and first.amount == invoice.total
    invoice.refresh_from_db()
    attempt.refresh_from_db()
    assert invoice.status == "paid" and invoice.amount_due == 0
    assert attempt.payment_intent_id == first.id and attempt.calls == 2
    assert OnlinePayment.objects.filter(invoice=invoice, status="succeeded").count() == 1
    assert InvoiceAutopay.objects.get(invoice=invoice).status == "collected"
    assert len([m for m in mail.outbox if client.email in m.to]) == 1


def test_the_kill_hook_is_inert_outside_the_sandbox(settings, monkeypatch):
    from firmpay.payments.autopay import charges

    monkeypatch.setenv(KILL_AFTER_STRIPE_ENV, "1")
    settings.STRIPE_SANDBOX_MODE = False
    charges.stripe_answered()  # still alive
    monkeypatch.delenv(KILL_AFTER_STRIPE_ENV)
    settings.STRIPE_SANDBOX_MODE = True
    charges.stripe_answered()
