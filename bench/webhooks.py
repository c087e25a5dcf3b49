"""Webhook ingest under load: 10,000 signed Connect events from 4 concurrent senders.

Starts Firmpay exactly as `make run` does (`scripts/run.sh`: the Stripe sandbox,
migrations, `stripe_setup`, gunicorn with 2 sync workers, the Huey worker) on a fresh
temporary FIRMPAY_DATA_DIR with SQLite, connects a few accounts through the sandbox,
then posts events signed with the secret `stripe_setup` stored: account events
(for connected and unknown accounts) and payment events, 10% of them duplicates,
shuffled. Waits until the worker has processed every event, then reads the database.

Runs twice, side by side: `embedded` (the `make run` default: SQLite, the SQLite Huey
queue) and `postgresql_2web` (the same processes on a fresh PostgreSQL database and a Redis
queue of its own: DATABASE_URL/REDIS_URL, as docs/deploy.md describes). Both have gunicorn
with 2 sync web processes and one Huey consumer, whose event worker thread claims the
stored events in batches.

The sender is as cheap as a C load generator (`bench/_loadgen.py`): every request is
built and signed before the clock starts (Stripe signs, not our machine), then one
thread drives `--senders` sockets with a `selectors` loop, recording each response's
status and latency (connect to last byte). Its own CPU (`getrusage` of this process
during the send) is reported as `sender_cpu_s` and `sender_cpu_ms_per_request`: it
shares the two cores with the server under test.

Prints progress, then JSON on the last line: {"embedded": {...}, "postgresql_2web": {...}},
each with accepted_per_s, p50_ms, p99_ms, processed_per_s (events finished during the
send / send time: the sustained processing rate), drain_s (after the last post until the
last event is finished), lost, double_processed, CPU per request and per event (and more);
on PostgreSQL also the CPU of the database's server backends during the send
(`postgres_cpu_ms_per_request`: the server runs on the same two cores).

    .venv/bin/python bench/webhooks.py [--events 10000] [--senders 4] [--accounts 10]
        [--only embedded|postgresql_2web] [--ports 8600-8699] [--pg-db firmpay_bench]
        [--redis-db 6] [--env STRIPE_EVENTS_NICE=0 ...]
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _loadgen
from _app import (
    PYTHON,
    ROOT,
    SANDBOX_KEY,
    free_port,
    percentile,
    start_app,
    stop_app,
    wait_http,
)

ACCOUNT_TYPES = ["account.updated", "capability.updated", "account.external_account.updated"]
# Payment events, each with Stripe's example object of its resource (fixtures3.json).
PAYMENT_TYPES = {
    "checkout.session.completed": "checkout.session",
    "checkout.session.async_payment_succeeded": "checkout.session",
    "payment_intent.processing": "payment_intent",
    "payment_intent.succeeded": "payment_intent",
    "charge.succeeded": "charge",
}
FIXTURES = ROOT / "stripe_sandbox" / "fixtures" / "fixtures3.json"


def example_objects() -> dict[str, dict]:
    resources = json.loads(FIXTURES.read_text())["resources"]
    return {name: resources[name] for name in set(PAYMENT_TYPES.values())}


def sign(body: bytes, secret: str) -> str:
    # What stripe.WebhookSignature.generate_signature_header does (before the clock starts).
    timestamp = int(time.time())
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


PG_DB = "firmpay_bench"
REDIS_DB = "6"
MODES = ("embedded", "postgresql_2web")


def mode_env(mode: str) -> dict:
    if mode == "embedded":
        return {}
    return {
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{PG_DB}",
        "REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
        "WEB_WORKERS": "2",
    }


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(sql)


def prepare_backing_services(mode: str) -> None:
    if mode == "postgresql_2web":
        pg_admin(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
        pg_admin(f'CREATE DATABASE "{PG_DB}"')
        subprocess.run(["redis-cli", "-n", REDIS_DB, "flushdb"], check=True, capture_output=True)


def cleanup_backing_services(mode: str) -> None:
    if mode == "postgresql_2web":
        pg_admin(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
        subprocess.run(["redis-cli", "-n", REDIS_DB, "flushdb"], check=False, capture_output=True)


def connect_accounts(
    data_dir: Path, port: int, sandbox_port: int, count: int, mode_env: dict | None = None
) -> list[str]:
    """Paid firms with platform-created accounts, made verified in the sandbox."""
    code = f"""
import json, urllib.request
from firmpay.tenancy.models import Firm
from firmpay.payments.services import payment_account_create
ids = []
for i in range({count}):
    firm = Firm.objects.create(name=f"Bench firm {{i}}", plan="standard", email=f"bench{{i}}@firm.test")
    ids.append(payment_account_create(firm=firm, actor=None).stripe_account_id)
for acct in ids:
    request = urllib.request.Request("http://127.0.0.1:{sandbox_port}/_sandbox/accounts/" + acct + "/state",
        data=b'{{"state": "verified"}}', method="POST", headers={{"Content-Type": "application/json"}})
    urllib.request.urlopen(request).read()
print(json.dumps(ids))
"""
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
        "FIRMPAY_DATA_DIR": str(data_dir),
        "PORT": str(port),
        "STRIPE_API_BASE": f"http://127.0.0.1:{sandbox_port}",
        "STRIPE_SECRET_KEY": SANDBOX_KEY,
        "LOG_LEVEL": "WARNING",
        **(mode_env or {}),
    }
    out = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def build_events(total: int, accounts: list[str], seed: int) -> tuple[list[bytes], set[str]]:
    rng = random.Random(seed)
    examples = example_objects()
    unique = total - total // 10
    now = int(time.time())
    bodies = []
    for i in range(unique):
        if i % 2:
            kind = rng.choice(ACCOUNT_TYPES)
            acct = (
                rng.choice(accounts) if accounts and rng.random() < 0.5 else f"acct_unknown{i % 97}"
            )
            obj = {"id": acct, "object": "account"}
        else:
            kind = rng.choice(sorted(PAYMENT_TYPES))
            acct = rng.choice(accounts) if accounts else f"acct_unknown{i % 97}"
            obj = {**examples[PAYMENT_TYPES[kind]], "id": f"bench_{i}", "metadata": {}}
        event = {
            "id": f"evt_bench{seed}_{i:06d}",
            "object": "event",
            "api_version": "2026-10-28.endive",
            "account": acct,
            "created": now - rng.randint(0, 600),
            "livemode": False,
            "pending_webhooks": 1,
            "type": kind,
            "data": {"object": obj},
        }
        bodies.append(json.dumps(event).encode())
    posts = bodies + [rng.choice(bodies) for _ in range(total - unique)]
    rng.shuffle(posts)
    return posts, {json.loads(b)["id"] for b in bodies}


def signed_requests(posts: list[bytes], secret: str) -> list[bytes]:
    """Every POST as the exact bytes on the wire, signed: built before the clock starts."""
    return [
        _loadgen.http_request(
            "POST",
            "/webhooks/stripe/",
            body,
            {"Content-Type": "application/json", "Stripe-Signature": sign(body, secret)},
        )
        for body in posts
    ]


def cpu_self() -> float:
    """CPU seconds this (bench) process has used: the sender's cost."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def cpu_by_process(session_id: int) -> dict[str, float]:
    """CPU seconds used so far by the app's processes (those in run.sh's session)."""
    tick = os.sysconf("SC_CLK_TCK")
    totals: dict[str, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            raw = stat.read_text()
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2 :].split()
        if int(fields[3]) != session_id:  # field 6 of stat: session id
            continue
        name = next(
            (n for n in ("gunicorn", "run_huey", "stripe_sandbox") if n in cmdline), "other"
        )
        totals[name] = totals.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / tick
    return {name: round(value, 2) for name, value in sorted(totals.items())}


def pg_backend_cpu() -> dict[int, float]:
    """CPU seconds used so far by each PostgreSQL backend serving the bench's database (the
    server runs on this machine; a backend that exits takes its count with it)."""
    import psycopg

    tick = os.sysconf("SC_CLK_TCK")
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        pids = [row[0] for row in conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", (PG_DB,))]  # fmt: skip
    used = {}
    for pid in pids:
        try:
            raw = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2 :].split()
        used[pid] = (int(fields[11]) + int(fields[12])) / tick
    return used


def pg_cpu_between(before: dict[int, float], after: dict[int, float]) -> float:
    return round(sum(value - before.get(pid, 0.0) for pid, value in after.items()), 2)


COUNTS_SQL = (
    "SELECT count(*), sum(CASE WHEN status IN ('processed','ignored') THEN 1 ELSE 0 END), "
    "sum(CASE WHEN attempts > 1 THEN 1 ELSE 0 END), sum(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) "
    "FROM payments_stripeevent WHERE event_id LIKE {mark}"
)


def event_counts(db: Path | str, prefix: str) -> tuple[int, int, int, int]:
    """(rows, done, processed more than once, failed) among the bench's events."""
    if isinstance(db, str):  # a PostgreSQL URL
        import psycopg

        with psycopg.connect(db.replace("postgres://", "postgresql://"), autocommit=True) as conn:
            return conn.execute(COUNTS_SQL.format(mark="%s"), (prefix + "%",)).fetchone()
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as conn:
        return conn.execute(COUNTS_SQL.format(mark="?"), (prefix + "%",)).fetchone()


def run(args, mode: str = "embedded") -> dict:
    mode_env_ = mode_env(mode)
    app_env = dict(item.split("=", 1) for item in args.env)  # e.g. STRIPE_EVENTS_NICE=0
    data_dir = Path(tempfile.mkdtemp(prefix="firmpay-bench-"))
    port = free_port(*args.ports)
    # The range's first free port is free until bound: look for the sandbox's above it.
    sandbox_port = free_port(port + 1, args.ports[1]) if args.ports[0] else free_port()
    while sandbox_port == port:  # any free port (no range) can come back the same
        sandbox_port = free_port()
    print(f"[{mode}] data dir {data_dir}; app on {port}, sandbox on {sandbox_port}", flush=True)
    prepare_backing_services(mode)
    proc = start_app(data_dir, port, sandbox_port, {**mode_env_, **app_env})
    try:
        wait_http(f"http://127.0.0.1:{port}/webhooks/stripe/", 180, proc)
        secret = (data_dir / "secrets" / "stripe_webhook_secret").read_text().strip()
        accounts = connect_accounts(data_dir, port, sandbox_port, args.accounts, mode_env_)
        print(f"connected {len(accounts)} sandbox accounts", flush=True)
        time.sleep(2)  # let the sandbox's own onboarding events settle
        seed = random.randrange(10**6)
        posts, unique_ids = build_events(args.events, accounts, seed)
        wire = signed_requests(posts, secret)
        queues = [wire[i :: args.senders] for i in range(args.senders)]
        print(
            f"posting {len(posts)} events ({len(unique_ids)} unique) from {args.senders} senders",
            flush=True,
        )
        cpu_before = cpu_by_process(proc.pid)
        pg_before = pg_backend_cpu() if mode_env_ else {}
        sender_cpu_before = cpu_self()
        started = time.perf_counter()
        sent = _loadgen.run(port, queues)
        send_s = time.perf_counter() - started
        sender_cpu = cpu_self() - sender_cpu_before
        latencies = sent.latencies_ms
        failures = sent.errors + [
            str(status) for status, n in sent.statuses.items() if status != 200 for _ in range(n)
        ]
        db = mode_env_.get("DATABASE_URL") or data_dir / "firmpay.sqlite3"
        prefix = f"evt_bench{seed}_"
        done_during_send = event_counts(db, prefix)[1] or 0
        cpu_at_send_end = cpu_by_process(proc.pid)
        pg_send_cpu = pg_cpu_between(pg_before, pg_backend_cpu()) if mode_env_ else 0.0
        accepted = sent.statuses.get(200, 0)
        print(f"sent in {send_s:.2f}s ({done_during_send} processed meanwhile); "
              "waiting for the worker", flush=True)  # fmt: skip
        drain_started = time.perf_counter()
        while True:
            rows, done, twice, failed = event_counts(db, prefix)
            if (done or 0) + (failed or 0) >= len(unique_ids):
                break
            if time.perf_counter() - drain_started > args.drain_timeout:
                print("drain timed out", flush=True)
                break
            time.sleep(0.2)
        drain_s = time.perf_counter() - started - send_s
        rows, done, twice, failed = event_counts(db, prefix)
        cpu_after = cpu_by_process(proc.pid)
        cpu = {name: round(cpu_after[name] - cpu_before.get(name, 0), 2) for name in cpu_after}
        web_cpu = cpu_at_send_end.get("gunicorn", 0) - cpu_before.get("gunicorn", 0)
        print(f"CPU seconds during the run: {cpu}; the sender {sender_cpu:.2f}", flush=True)
        return {
            "app_env": app_env,
            "database": "postgresql" if mode_env_ else "sqlite",
            "queue": "redis" if mode_env_ else "sqlite",
            "web_processes": 2,
            "events_posted": len(posts),
            "unique_events": len(unique_ids),
            "accepted": accepted,
            "failures": len(failures),
            "send_s": round(send_s, 2),
            "accepted_per_s": round(accepted / send_s, 1),
            "p50_ms": round(percentile(latencies, 50), 2),
            "p99_ms": round(percentile(latencies, 99), 2),
            "processed_per_s": round(done_during_send / send_s, 1),
            "drain_s": round(max(drain_s, 0.0), 2),
            "web_cpu_ms_per_request": round(1000 * web_cpu / max(len(latencies), 1), 3),
            "sender_cpu_ms_per_request": round(1000 * sender_cpu / max(len(posts), 1), 3),
            "sender_cpu_s": round(sender_cpu, 2),
            "worker_cpu_ms_per_event": round(
                1000 * cpu.get("run_huey", 0) / max(len(unique_ids), 1), 3
            ),
            "cpu_s": cpu,
            # PostgreSQL: the backends serving this database, during the send.
            "postgres_send_cpu_s": pg_send_cpu,
            "postgres_cpu_ms_per_request": round(1000 * pg_send_cpu / max(len(latencies), 1), 3),
            "stored": rows,
            "failed": failed or 0,
            "lost": len(unique_ids) - (done or 0),
            "double_processed": twice or 0,
        }
    finally:
        stop_app(proc)
        cleanup_backing_services(mode)


def port_range(text: str) -> tuple[int, int]:
    low, _, high = text.partition("-")
    return int(low), int(high or low)


def set_backing_names(pg_db: str, redis_db: str) -> None:
    global PG_DB, REDIS_DB
    PG_DB, REDIS_DB = pg_db, str(redis_db)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--senders", type=int, default=4)
    parser.add_argument("--accounts", type=int, default=10)
    parser.add_argument("--drain-timeout", type=float, default=300)
    parser.add_argument("--only", choices=MODES)
    parser.add_argument(
        "--ports",
        type=port_range,
        default=(0, 0),
        help="pick ports in this range, e.g. 8600-8699 (default: any free)",
    )
    parser.add_argument("--pg-db", default=PG_DB, help="PostgreSQL database (dropped after)")
    parser.add_argument("--redis-db", default=REDIS_DB, help="Redis db number (flushed)")
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting for the app's processes, e.g. --env STRIPE_EVENTS_NICE=0 (repeatable)",
    )
    args = parser.parse_args()
    set_backing_names(args.pg_db, args.redis_db)
    results = {mode: run(args, mode) for mode in MODES if args.only in (None, mode)}
    for mode, result in results.items():
        print(f"{mode:>16}: {result['accepted_per_s']} events/s accepted, p50 {result['p50_ms']} ms, "
              f"p99 {result['p99_ms']} ms, processed {result['processed_per_s']}/s during the send, "
              f"drain {result['drain_s']} s, sender CPU {result['sender_cpu_ms_per_request']} ms/request, "
              f"lost {result['lost']}, "
              f"processed twice {result['double_processed']}", flush=True)  # fmt: skip
    print(json.dumps(results))


if __name__ == "__main__":
    sys.exit(main())
