"""The recurring issuing sweep: 100,000 due schedules across 10,000 firms, issued as sent
invoices in one sweep (issue 15: under 10 s).

A fresh throwaway database (PostgreSQL `firmpay_bench_recurring`, created and dropped; or a
temporary SQLite file with --backend sqlite) is migrated and loaded with COPY / executemany:
10,000 firms in 12 timezones (every other one with earlier invoices, so its counter moves
on from 100), 10 clients per firm, and `--invoices` active monthly schedules (two lines
each, one in ten collected automatically) whose next issue is the firm-local issuing day at
the sweep's instant. A separate process then runs `recurring_sweep` at that instant (lock,
issue in bulk, record the occurrences, move the schedules on, enqueue the follow-up emails
on Huey's own SQLite file) and a second sweep (which finds nothing), and reports the time
and its peak memory (ru_maxrss of the sweep process).

    .venv/bin/python bench/recurring.py [--invoices 100000] [--firms 10000] [--backend postgresql]

The last line of output is JSON: {"invoices", "firms", "sweep_s", "peak_mb", ...}; sweep_cpu_s
is the sweep process's own CPU time (the rest is waiting on PostgreSQL). BENCH_PROFILE=<file>
writes a cProfile of the sweep.
"""

import argparse
import datetime
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import reminders as loader  # noqa: E402  (the reminders bench's row builder and bulk loader)

CLIENTS_PER_FIRM = 10
PG_SERVER = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
PG_DB = os.environ.get("BENCH_PG_DB", "firmpay_bench_recurring")
SWEEP_AT = datetime.datetime(2026, 5, 20, 14, 3, tzinfo=datetime.UTC)
ZONES = loader.ZONES


def firm_rows(firms: int, now):
    for n in range(1, firms + 1):
        yield {
            "id": n,
            "name": f"Firm {n:05d}",
            "timezone": ZONES[n % len(ZONES)],
            "email": f"office{n}@firm.test",
            "created_at": now,
            "default_currency": "USD",
            "payment_terms_days": 14 + n % 3 * 8,
        }


def client_rows(firms: int, now):
    for firm_id in range(1, firms + 1):
        for k in range(CLIENTS_PER_FIRM):
            n = (firm_id - 1) * CLIENTS_PER_FIRM + k + 1
            yield {
                "id": n,
                "firm_id": firm_id,
                "name": f"Client {n}",
                "email": f"client{n}@example.test",
                "currency": "USD",
                "created_at": now,
                "updated_at": now,
            }


def sequence_rows(firms: int):
    for firm_id in range(1, firms + 1, 2):
        yield {"firm_id": firm_id, "last_number": 100}


def schedule_rows(size: int, firms: int, now):
    from firmpay.recurring.dates import issuing_day

    days = {zone: issuing_day(SWEEP_AT, zone_name=zone) for zone in ZONES}
    for n in range(1, size + 1):
        firm_id = (n - 1) % firms + 1
        day = days[ZONES[firm_id % len(ZONES)]]
        yield {
            "id": n,
            "firm_id": firm_id,
            "client_id": (firm_id - 1) * CLIENTS_PER_FIRM + (n // firms) % CLIENTS_PER_FIRM + 1,
            "currency": "USD",
            "frequency": "monthly",
            "every_weeks": 1,
            "start_date": day - datetime.timedelta(days=365),
            "issue_day": day.day,
            "notes": "Monthly retainer",
            "autopay": "on_due_date" if n % 10 == 0 else "no",
            "status": "active",
            "next_issue_on": day,
            "issued_count": 12,
            "created_at": now,
            "updated_at": now,
        }


def line_rows(size: int):
    from decimal import Decimal

    for n in range(1, size + 1):
        yield {
            "schedule_id": n,
            "position": 0,
            "description": "Bookkeeping retainer",
            "quantity": Decimal(1),
            "unit_amount": 50_000 + n % 7 * 1000,
            "tax_rate": Decimal("20.000"),
        }
        yield {
            "schedule_id": n,
            "position": 1,
            "description": "Payroll, per employee",
            "quantity": Decimal(n % 9 + 1),
            "unit_amount": 1_250,
            "tax_rate": Decimal(0),
        }


def child_seed(size: int, firms: int) -> dict:
    from django.core.management import call_command
    from django.db import connection, transaction

    from firmpay.clients.models import Client
    from firmpay.invoices.models import InvoiceSequence
    from firmpay.recurring.models import Schedule, ScheduleLine
    from firmpay.tenancy.models import Firm

    call_command("migrate", verbosity=0)
    now = SWEEP_AT - datetime.timedelta(days=400)
    started = time.perf_counter()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
    with transaction.atomic():
        loader.load(Firm, next(firm_rows(1, now)), firm_rows(firms, now), with_id=True)
        loader.load(Client, next(client_rows(1, now)), client_rows(firms, now), with_id=True)
        loader.load(InvoiceSequence, next(sequence_rows(1)), sequence_rows(firms))
        loader.load(
            Schedule, next(schedule_rows(1, 1, now)), schedule_rows(size, firms, now), with_id=True
        )
        loader.load(ScheduleLine, next(line_rows(1)), line_rows(size))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for model in (Firm, Client, Schedule):
                table = model._meta.db_table
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
        cursor.execute("ANALYZE")
    return {"seed_s": round(time.perf_counter() - started, 2)}


def child_sweep() -> dict:
    from django.db import connection

    from firmpay.invoices.models import Invoice
    from firmpay.recurring.models import ScheduleIssue
    from firmpay.recurring.sweep import recurring_sweep

    connection.ensure_connection()
    profile = None
    if os.environ.get("BENCH_PROFILE"):
        import cProfile

        profile = cProfile.Profile()
        profile.enable()
    started, cpu = time.perf_counter(), time.process_time()
    first = recurring_sweep(now=SWEEP_AT)
    sweep_s = time.perf_counter() - started
    sweep_cpu_s = time.process_time() - cpu
    if profile is not None:
        profile.disable()
        profile.dump_stats(os.environ["BENCH_PROFILE"])
    started = time.perf_counter()
    second = recurring_sweep(now=SWEEP_AT + datetime.timedelta(minutes=1))
    again_s = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    numbers = Invoice.objects.values_list("firm_id", "number").distinct().count()
    return {
        "issued": first.issued,
        "batches": first.batches,
        "sweep_s": round(sweep_s, 3),
        "sweep_cpu_s": round(sweep_cpu_s, 3),
        "peak_mb": round(rss, 1),
        "second_sweep_s": round(again_s, 3),
        "second_issued": second.issued,
        "invoices_in_table": Invoice.objects.count(),
        "distinct_numbers": numbers,
        "occurrences": ScheduleIssue.objects.count(),
    }


def run_child(role: str, args, data_dir: str, db_url: str) -> dict:
    command = [sys.executable, __file__, "--child", role, "--invoices", str(args.invoices)]
    command += ["--firms", str(args.firms), "--data-dir", data_dir, "--db-url", db_url]
    output = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if output.returncode:
        sys.stderr.write(output.stderr)
        raise SystemExit(f"bench: {role} child failed")
    return json.loads(output.stdout.strip().splitlines()[-1])


def measure(args) -> dict:
    data_dir = tempfile.mkdtemp(prefix="recurring-bench-")
    db_url = ""
    postgres = args.backend == "postgresql"
    try:
        if postgres:
            loader.pg_admin(f"DROP DATABASE IF EXISTS {PG_DB}")
            loader.pg_admin(f"CREATE DATABASE {PG_DB}")
            db_url = f"{PG_SERVER}/{PG_DB}"
        seeded = run_child("seed", args, data_dir, db_url)
        swept = run_child("sweep", args, data_dir, db_url)
        return {**swept, **seeded}
    finally:
        if postgres:
            loader.pg_admin(f"DROP DATABASE IF EXISTS {PG_DB}")
        shutil.rmtree(data_dir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--firms", type=int, default=10_000)
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--child", choices=["seed", "sweep"])
    parser.add_argument("--data-dir")
    parser.add_argument("--db-url", default="")
    args = parser.parse_args()
    if args.child:
        loader.setup_django(args.data_dir, args.db_url)
        if args.child == "seed":
            result = child_seed(args.invoices, args.firms)
        else:
            result = child_sweep()
        print(json.dumps(result))
        return
    result = measure(args)
    print(
        json.dumps(
            {"invoices": result["issued"], "firms": args.firms, "backend": args.backend} | result
        )
    )


if __name__ == "__main__":
    main()
