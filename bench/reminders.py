"""One reminder sweep over 100,000 and 1,000,000 open invoices across 10,000 firms, on
SQLite and on PostgreSQL.

For each backend and size, a fresh throwaway database (a temporary SQLite file; a
PostgreSQL database `firmpay_bench_reminders`, created and dropped) is migrated and loaded
with raw bulk inserts (executemany on SQLite, COPY on PostgreSQL): 10,000 firms in 12
timezones (a tenth with their own policy and send hour), 10 clients per firm (1% opted out),
open and partly paid invoices due over 180 days around the sweep. Then a separate process
runs one sweep (`reminders_sweep` at a fixed instant: recording every due reminder, set-based,
and kicking delivery) and a second one (which finds nothing new), and reports the time and
its peak memory (ru_maxrss of the sweep process; tracemalloc peak of the sweep itself).

    .venv/bin/python bench/reminders.py [--sizes 100000,1000000] [--backends sqlite,postgresql]

The last line of output is JSON:
{"sqlite": {"100000": {"sweep_s", "peak_mb", ...}, "1000000": {...}}, "postgresql": {...}}
"""

import argparse
import datetime
import json
import os
import random
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIRMS = 10_000
CLIENTS_PER_FIRM = 10
PG_SERVER = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
PG_DB = "firmpay_bench_reminders"
SWEEP_AT = datetime.datetime(2026, 5, 20, 14, 5, tzinfo=datetime.UTC)
ZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Toronto",
    "Europe/London",
    "Europe/Dublin",
    "Australia/Sydney",
    "Pacific/Auckland",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "UTC",
]


def setup_django(data_dir: str, db_url: str) -> None:
    os.environ["FIRMPAY_DATA_DIR"] = data_dir
    if db_url:
        os.environ["DATABASE_URL"] = db_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)  # Huey on its own SQLite file in the temp dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()


def row_builder(model, values: dict):
    """Columns of `model` and a function turning a dict of the given values into a row.
    Fields the bench does not set take their model default, so the loader keeps working
    when other apps add columns."""
    from django.db import connection

    with connection.cursor() as cursor:
        table = connection.introspection.get_table_description(cursor, model._meta.db_table)
    existing = {column.name for column in table}
    fields = [f for f in model._meta.concrete_fields if not f.primary_key and f.column in existing]
    fixed = {}
    for field in fields:
        if field.attname in values or field.name in values:
            continue
        if field.has_default() or field.empty_strings_allowed:
            fixed[field.attname] = field.get_default
        elif field.null:
            fixed[field.attname] = lambda: None
        else:
            raise SystemExit(f"bench: {model.__name__}.{field.name} needs a value")
    columns = [field.column for field in fields]

    def build(row: dict) -> tuple:
        return tuple(row[f.attname] if f.attname in row else fixed[f.attname]() for f in fields)

    return columns, build


def firm_rows(now):
    rng = random.Random(1)
    for n in range(1, FIRMS + 1):
        yield {
            "id": n,
            "name": f"Firm {n:05d}",
            "timezone": ZONES[n % len(ZONES)],
            "email": f"office{n}@firm.test",
            "created_at": now,
            "default_currency": rng.choice(["USD", "GBP", "EUR", "JPY"]),
        }


def client_rows(now):
    for firm_id in range(1, FIRMS + 1):
        for k in range(CLIENTS_PER_FIRM):
            n = (firm_id - 1) * CLIENTS_PER_FIRM + k + 1
            yield {
                "id": n,
                "firm_id": firm_id,
                "name": f"Client {n}",
                "email": f"client{n}@example.test",
                "reminders_opt_out": n % 100 == 0,
                "created_at": now,
                "updated_at": now,
            }


def invoice_rows(size: int, now):
    rng = random.Random(2)
    per_firm = size // FIRMS
    base = SWEEP_AT.date()
    sent_at = now - datetime.timedelta(days=200)
    for firm_id in range(1, FIRMS + 1):
        for k in range(per_firm):
            total = rng.randrange(5_000, 500_000)
            paid = 0 if rng.random() < 0.9 else total // 3
            due = base + datetime.timedelta(days=rng.randint(-120, 59))
            yield {
                "firm_id": firm_id,
                "client_id": (firm_id - 1) * CLIENTS_PER_FIRM + k % CLIENTS_PER_FIRM + 1,
                "number": f"INV-{k + 1:04d}",
                "currency": "USD",
                "issue_date": due - datetime.timedelta(days=30),
                "due_date": due,
                "status": "open" if paid == 0 else "partially_paid",
                "subtotal": total,
                "tax_total": 0,
                "total": total,
                "amount_paid": paid,
                "amount_due": total - paid,
                "sent_at": sent_at,
                "link_token": secrets.token_urlsafe(24),
                "created_at": now,
                "updated_at": now,
            }


def policy_rows(now):
    """A tenth of the firms have their own policy: another send hour, the default steps."""
    rng = random.Random(3)
    for n, firm_id in enumerate(range(10, FIRMS + 1, 10), start=1):
        yield {
            "id": n,
            "firm_id": firm_id,
            "enabled": firm_id % 100 != 0,
            "send_hour": rng.randrange(24),
            "updated_at": now,
        }


def step_rows():
    from firmpay.reminders.schedule import DEFAULT_STEPS

    policy_count = len(range(10, FIRMS + 1, 10))
    for policy_id in range(1, policy_count + 1):
        for step in DEFAULT_STEPS:
            yield {
                "policy_id": policy_id,
                "offset_days": step.offset_days,
                "subject": step.subject,
                "body": step.body,
            }


def load(model, values: dict, rows, *, with_id: bool = False) -> int:
    from django.db import connection

    columns, build = row_builder(model, values)
    if with_id:
        columns = ["id", *columns]
        inner = build

        def build(row):
            return (row["id"], *inner(row))

    table = connection.ops.quote_name(model._meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(build(row))
                    count += 1
        else:
            marks = ", ".join(["%s"] * len(columns))
            batch = []
            sql = f"INSERT INTO {table} ({quoted}) VALUES ({marks})"
            for row in rows:
                batch.append(build(row))
                if len(batch) == 50_000:
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                count += len(batch)
    return count


def child_seed(size: int) -> dict:
    from django.core.management import call_command
    from django.db import connection, transaction

    from firmpay.clients.models import Client
    from firmpay.invoices.models import Invoice
    from firmpay.reminders.models import ReminderPolicy, ReminderStep
    from firmpay.tenancy.models import Firm

    call_command("migrate", verbosity=0)
    now = SWEEP_AT - datetime.timedelta(days=300)
    started = time.perf_counter()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")  # a throwaway file: no need to fsync
    with transaction.atomic():
        load(Firm, next(firm_rows(now)), firm_rows(now), with_id=True)
        load(Client, next(client_rows(now)), client_rows(now), with_id=True)
        invoices = load(Invoice, next(invoice_rows(FIRMS, now)), invoice_rows(size, now))
        load(ReminderPolicy, next(policy_rows(now)), policy_rows(now), with_id=True)
        load(ReminderStep, next(step_rows()), step_rows())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for model in (Firm, Client, ReminderPolicy):
                table = model._meta.db_table
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
        cursor.execute("ANALYZE")
    return {"invoices": invoices, "seed_s": round(time.perf_counter() - started, 2)}


def child_sweep() -> dict:
    from django.db import connection

    from firmpay.reminders.models import ReminderSend
    from firmpay.reminders.services import reminders_sweep

    connection.ensure_connection()
    tracemalloc.start()
    started = time.perf_counter()
    first = reminders_sweep(now=SWEEP_AT)
    sweep_s = time.perf_counter() - started
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    started = time.perf_counter()
    second = reminders_sweep(now=SWEEP_AT + datetime.timedelta(minutes=1))
    again_s = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {
        "sweep_s": round(sweep_s, 3),
        "peak_mb": round(rss, 1),
        "sweep_alloc_peak_mb": round(traced_peak / 2**20, 2),
        "recorded": first.recorded,
        "statements": first.statements,
        "second_sweep_s": round(again_s, 3),
        "second_recorded": second.recorded,
        "sends_in_table": ReminderSend.objects.count(),
    }


def run_child(role: str, size: int, data_dir: str, db_url: str) -> dict:
    command = [sys.executable, __file__, "--child", role, "--size", str(size)]
    command += ["--data-dir", data_dir, "--db-url", db_url]
    output = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if output.returncode:
        sys.stderr.write(output.stderr)
        raise SystemExit(f"bench: {role} child failed")
    return json.loads(output.stdout.strip().splitlines()[-1])


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def measure(backend: str, size: int) -> dict:
    data_dir = tempfile.mkdtemp(prefix="reminders-bench-")
    db_url = ""
    try:
        if backend == "postgresql":
            pg_admin(f"DROP DATABASE IF EXISTS {PG_DB}")
            pg_admin(f"CREATE DATABASE {PG_DB}")
            db_url = f"{PG_SERVER}/{PG_DB}"
        seeded = run_child("seed", size, data_dir, db_url)
        swept = run_child("sweep", size, data_dir, db_url)
        return {**swept, **seeded}
    finally:
        if backend == "postgresql":
            pg_admin(f"DROP DATABASE IF EXISTS {PG_DB}")
        shutil.rmtree(data_dir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--child", choices=["seed", "sweep"])
    parser.add_argument("--size", type=int)
    parser.add_argument("--data-dir")
    parser.add_argument("--db-url", default="")
    args = parser.parse_args()
    if args.child:
        setup_django(args.data_dir, args.db_url)
        result = child_seed(args.size) if args.child == "seed" else child_sweep()
        print(json.dumps(result))
        return
    results: dict = {}
    for backend in args.backends.split(","):
        results[backend] = {}
        for size in [int(s) for s in args.sizes.split(",")]:
            result = measure(backend, size)
            print(f"{backend} {size}: {json.dumps(result)}", flush=True)
            results[backend][str(size)] = result
    print(json.dumps(results))


if __name__ == "__main__":
    main()
