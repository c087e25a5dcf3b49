"""Month-end burst: 1,000 payments for one Xero organisation, synced through the accounting
sandbox with its rate limits on (60 calls a minute and 5 at once per organisation, as Xero).

Set-up (not measured): a fresh SQLite database, the sandbox in-process, the demo firm
connected to the sandbox's UK organisation through its consent, 1,000 invoices for 20
clients already in Xero (seeded through the sandbox's control API with Firmpay's records of
them; `--sync-invoices` syncs them through Firmpay's worker instead, with the limits off,
which takes minutes).
Measured: 1,000 payments recorded at once, then Firmpay's worker loop (`sync_item_process`
on every due row, as the Huey workers and the sweeper do) until every row is done. Counted:
the API calls that reached the sandbox, the seconds, and payments booked twice there.

Prints JSON last: {"payments": 1000, "api_calls": N, "seconds": S, "duplicates": 0}.
Usage: .venv/bin/python bench/accounting_sync.py [--payments 1000]
"""

from __future__ import annotations

import argparse
import collections
import datetime
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _quiet() -> None:
    import logging

    for name in ("httpx", "huey", "accounting_sandbox"):
        logging.getLogger(name).setLevel(logging.WARNING)


def _django(data_dir: str) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        FIRMPAY_DATA_DIR=data_dir,
        ACCOUNTING_TOKEN_KEY="bench-accounting-key",
    )
    for name in ("DATABASE_URL", "REDIS_URL"):
        os.environ.pop(name, None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _no_kicks() -> None:
    """The loop below is the worker: rows are not also queued to Huey."""
    from firmpay.accounting.services import outbox, outcomes

    outbox.sync_item_kick = outcomes.sync_item_kick = lambda *args, **kwargs: None


def _connect(handle, firm, owner):
    from django.contrib.sessions.backends.db import SessionStore

    from firmpay.accounting import services

    session = SessionStore()
    session.create()
    redirect = "http://127.0.0.1:8300/settings/integrations/accounting/xero/callback/"
    url = services.oauth_start(
        firm=firm, user=owner, session=session, vendor="xero", redirect_uri=redirect
    )
    from urllib.parse import parse_qs, urlparse

    query = {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
    answer = handle.consent(
        "xero",
        redirect_uri=redirect,
        scope=query["scope"],
        state=query["state"],
        choose=[handle.xero_uk],
    )
    connection = services.oauth_complete(
        firm=firm,
        user=owner,
        session=session,
        vendor="xero",
        state=answer["state"],
        code=answer["code"],
    )
    accounts = services.connection_accounts(connection=connection)
    rates = services.connection_tax_rates(connection=connection)
    pick = lambda options, text: next(o for o in options if text in o.label)  # noqa: E731
    return services.connection_accounts_choose(
        connection=connection,
        accounts=accounts,
        payment_account_id=pick(accounts, "Stripe Clearing").id,
        income_account_id=pick(accounts, "Sales").id,
        tax_rates=rates,
        tax_code=pick(rates, "20% (VAT on Income)").code,
        tax_code_zero=pick(rates, "Zero Rated").code,
        invoice_prefix="FP-",
        user=owner,
    )


def _drain(deadline: float) -> None:
    from django.utils import timezone

    from firmpay.accounting.models import SyncItem, SyncStatus
    from firmpay.accounting.services import sync_item_process

    while time.monotonic() < deadline:
        open_rows = SyncItem.objects.filter(status__in=[SyncStatus.PENDING, SyncStatus.RUNNING])
        if not open_rows.exists():
            return
        due = list(
            open_rows.filter(status=SyncStatus.PENDING, next_attempt_at__lte=timezone.now())
            .order_by("id")
            .values_list("pk", flat=True)
        )
        for item_id in due:
            sync_item_process(item_id=item_id)
        if not due:
            time.sleep(0.2)


def _invoices(firm, count: int) -> list:
    from firmpay.clients.services import client_create
    from firmpay.invoices.services import invoice_send
    from firmpay.invoices.tests.builders import invoice_build, line

    clients = [
        client_create(firm=firm, name=f"Month-end Client {n:02d}", email=f"ap{n}@bench.test")
        for n in range(20)
    ]
    return [
        invoice_send(
            invoice=invoice_build(
                firm=firm, client=clients[n % 20], lines=[line("Bookkeeping", "1", 10000 + n)]
            )
        )
        for n in range(count)
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--payments", type=int, default=1000)
    parser.add_argument(
        "--sync-invoices",
        action="store_true",
        help="set-up: sync the invoices through Firmpay's worker (slow) instead of seeding them",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="acct-bench-") as data_dir:
        _django(data_dir)
        _quiet()
        _no_kicks()
        print(json.dumps(run(args.payments, sync_invoices=args.sync_invoices)))


def _already_there(handle, connection, invoices) -> None:
    """The invoices reached Xero during the month: put them in the sandbox's books in one
    control call (through Xero's own rules) and record in Firmpay what the sync would have
    recorded (the remote ids and a done upsert row each). Much faster than 2,000 API calls
    through the worker, which `--sync-invoices` does instead."""
    from django.utils import timezone

    from firmpay.accounting.models import RemoteKind, RemoteRecord, SyncAction, SyncItem
    from firmpay.accounting.services.outbox import upsert_key
    from firmpay.accounting.services.sync import ledger_number

    clients = {invoice.client_id: invoice.client for invoice in invoices}
    seeded = handle.control(
        "POST",
        f"xero/organisations/{connection.org_id}/seed",
        {
            "contacts": [
                {"Name": c.name, "EmailAddress": c.email, "ContactNumber": f"FIRMPAY-{c.pk}"}
                for c in clients.values()
            ]
        },
    )
    contact_of = {row["ContactNumber"]: row["ContactID"] for row in seeded["contacts"]}
    rows = [
        {
            "Contact": {"ContactID": contact_of[f"FIRMPAY-{invoice.client_id}"]},
            "InvoiceNumber": ledger_number(connection, invoice),
            "Date": invoice.issue_date.isoformat(),
            "DueDate": invoice.due_date.isoformat(),
            "Status": "AUTHORISED",
            "CurrencyCode": invoice.currency,
            "LineAmountTypes": "Exclusive",
            "LineItems": [
                {
                    "Description": line.description,
                    "Quantity": float(line.quantity),
                    "UnitAmount": line.unit_amount / 100,
                    "LineAmount": line.line_subtotal / 100,
                    "AccountCode": connection.income_account_code,
                    "TaxType": connection.tax_code_zero,
                }
                for line in invoice.lines.all()
            ],
        }
        for invoice in invoices
    ]
    seeded = handle.control(
        "POST", f"xero/organisations/{connection.org_id}/seed", {"invoices": rows}
    )
    invoice_of = {row["InvoiceNumber"]: row["InvoiceID"] for row in seeded["invoices"]}
    now = timezone.now()
    records = [
        RemoteRecord(
            firm_id=connection.firm_id,
            connection=connection,
            kind=RemoteKind.CONTACT,
            local_key=f"client:{pk}",
            remote_id=contact_of[f"FIRMPAY-{pk}"],
        )
        for pk in clients
    ]
    records += [
        RemoteRecord(
            firm_id=connection.firm_id,
            connection=connection,
            kind=RemoteKind.INVOICE,
            local_key=f"invoice:{invoice.pk}",
            remote_id=invoice_of[ledger_number(connection, invoice)],
        )
        for invoice in invoices
    ]
    RemoteRecord.objects.bulk_create(records)
    SyncItem.objects.bulk_create(
        [
            SyncItem(
                firm_id=connection.firm_id,
                connection=connection,
                key=upsert_key(invoice.pk),
                action=SyncAction.INVOICE_UPSERT,
                invoice=invoice,
                status="done",
                attempts=1,
                next_attempt_at=now,
                done_at=now,
            )
            for invoice in invoices
        ]
    )


def run(count: int, *, sync_invoices: bool = False) -> dict:
    from django.conf import settings

    from accounting_sandbox.config import Config
    from accounting_sandbox.pytest_plugin import AccountingSandboxHandle
    from accounting_sandbox.sandbox import Sandbox
    from firmpay.accounting.models import RateBucket, SyncItem, SyncStatus
    from firmpay.accounting.providers.http import REQUEST_HOOKS
    from firmpay.accounting.providers.xero import XeroProvider
    from firmpay.accounting.services import accounting_on_payment_succeeded
    from firmpay.tenancy.tests.factories import make_firm, make_owner

    setup = time.monotonic()
    sandbox = Sandbox(Config(port=0, data=":memory:"))
    sandbox.start()
    handle = AccountingSandboxHandle(sandbox)
    try:
        for name, value in handle_settings(handle).items():
            setattr(settings, name, value)
        firm = make_firm(name="Demo & Co Accountants (UK)", country="GB", currency="GBP")
        owner = make_owner(firm=firm)
        handle.control("POST", "config", {"rate_limits": False})
        XeroProvider.per_minute = 100_000  # the invoices went out over the month
        if sync_invoices:
            connection = _connect(handle, firm, owner)
            invoices = _invoices(firm, count)
            _drain(time.monotonic() + 3600)
        else:  # sent before Firmpay was connected: no rows yet, the set-up records them
            invoices = _invoices(firm, count)
            connection = _connect(handle, firm, owner)
            _already_there(handle, connection, invoices)
        assert not SyncItem.objects.exclude(status=SyncStatus.DONE).exists(), "invoices"

        # Month end, a fresh minute later: both limiters start from zero.
        XeroProvider.per_minute = 60
        handle.advance(minutes=2)
        RateBucket.objects.all().delete()
        handle.control("POST", "config", {"rate_limits": True})
        print(f"set-up done in {time.monotonic() - setup:.0f}s", file=sys.stderr)
        calls: list[str] = []
        REQUEST_HOOKS.append(lambda request: calls.append(str(request.url)))
        start = time.monotonic()
        for invoice in invoices:
            accounting_on_payment_succeeded(
                firm=firm,
                invoice=invoice,
                payment_key=f"manual:bench:{invoice.pk}",
                amount=invoice.total,
                currency=invoice.currency,
                paid_on=datetime.date(2026, 11, 30),
                reference=f"Card payment {invoice.number}",
            )
        _drain(time.monotonic() + 600)
        seconds = time.monotonic() - start
        records = SyncItem.objects.filter(key__endswith=":record")
        assert set(records.values_list("status", flat=True)) == {SyncStatus.DONE}, "payments"
        books = handle.control("GET", f"xero/organisations/{connection.org_id}/ledger")
        per_invoice = collections.Counter(
            p["Invoice"]["InvoiceID"] for p in books["payments"] if p.get("Status") != "DELETED"
        )
        return {
            "payments": records.count(),
            "api_calls": sum("/api.xro/" in url for url in calls),
            "seconds": round(seconds, 1),
            "duplicates": sum(n - 1 for n in per_invoice.values() if n > 1),
        }
    finally:
        sandbox.stop()


def handle_settings(handle) -> dict:
    return handle.settings()


if __name__ == "__main__":
    main()
