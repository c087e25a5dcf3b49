"""`make scale-test`: Firmpay at scale on this machine, under faults, then proof.

Starts the Stripe sandbox (its own SQLite file), a fresh PostgreSQL database and a Redis
database of its own, 2 gunicorn web processes behind a small round-robin load balancer,
and 3 Huey consumers (one runs the periodic tasks, two `--no-periodic`). Then:

1. connect: firms create their Stripe accounts through Firmpay's service; the sandbox
   makes them verified; Firmpay learns it from the webhooks (account.updated, ...).
2. traffic, with sandbox faults on (events duplicated, shuffled, delayed; API 500s and
   429s): account changes (payouts paused/resumed) and, when the sandbox has Checkout,
   clients paying invoices through the app's Pay endpoint and the sandbox's pay control.
   Mid-run a Huey worker is SIGKILLed and restarted, and Redis is restarted (the queue
   is lost: durable work is in rows).
3. drain: faults cleared, sandbox deliveries drained, the workers catch up (bounded);
   then `manage.py stripe_catch_up`, as an operator would after an incident.
4. proof: every event the sandbox created for the endpoint is stored once and processed;
   every account's state and every invoice's status equals what the sandbox says.

Prints the figures and exits non-zero on any mismatch or timeout. Redis is always left
running, the database dropped. Logs of a failed run are kept under test-artifacts/.

    .venv/bin/python scripts/scale_test.py [--firms 40] [--invoices 200]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale import cluster as c  # noqa: E402
from scale.traffic import Sandbox, Traffic  # noqa: E402

# A database of this run's own (another run on the machine must not drop it), and a lock so
# two runs do not restart each other's Redis mid-proof: the second waits for the first.
# A database of its own per run; SCALE_TEST_DB / SCALE_TEST_REDIS_DB (or --db, --redis-db)
# choose others, e.g. an engineer's own names on a shared machine.
DB_NAME = os.environ.get("SCALE_TEST_DB") or f"firmpay_scale_{os.getpid()}"
LOCK_PATH = Path(tempfile.gettempdir()) / "firmpay-scale-test.lock"
REDIS_DB = int(os.environ.get("SCALE_TEST_REDIS_DB") or 5)
ARTIFACTS = c.ROOT / "test-artifacts" / "scale-test"


def app_env(work: Path, sandbox_url: str, lb_port: int) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("STRIPE_", "DATABASE_URL", "REDIS_URL", "HUEY_", "DJANGO_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        FIRMPAY_DATA_DIR=str(work),
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
        REDIS_URL=f"redis://127.0.0.1:6379/{REDIS_DB}",
        STRIPE_API_BASE=sandbox_url,
        STRIPE_SECRET_KEY=c.SANDBOX_KEY,
        STRIPE_CONNECT_CLIENT_ID=c.SANDBOX_CLIENT_ID,
        STRIPE_SANDBOX_MODE="true",
        SITE_URL=f"http://127.0.0.1:{lb_port}",
        LOG_LEVEL="WARNING",
        LOG_FORMAT="json",
        DEBUG="false",
    )
    return env


def manage(env: dict, *args: str, timeout: float = 180) -> str:
    out = subprocess.run([c.PYTHON, "manage.py", *args], cwd=c.ROOT, env=env,
                         capture_output=True, text=True, timeout=timeout)  # fmt: skip
    if out.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{out.stderr[-3000:]}")
    return out.stdout


def pg_rows(sql: str, params=()) -> list[tuple]:
    import psycopg

    url = f"postgresql://postgres@127.0.0.1:5432/{DB_NAME}"
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(sql, params).fetchall()


def unfinished_events() -> tuple[int, int]:
    """(stored events, events not processed/ignored yet)."""
    total, pending = pg_rows(
        "SELECT count(*), count(*) FILTER (WHERE status NOT IN ('processed', 'ignored')) "
        "FROM payments_stripeevent"
    )[0]
    return total, pending


def sandbox_endpoint_events(path: Path, endpoint_id: str) -> dict[str, tuple[int, int]]:
    """event id -> (deliveries, succeeded deliveries) for our endpoint, from the sandbox's file."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30) as conn:
        rows = conn.execute(
            "SELECT event_id, count(*), sum(status = 'succeeded') FROM deliveries "
            "WHERE endpoint_id = ? GROUP BY event_id",
            (endpoint_id,),
        ).fetchall()
    return {event_id: (n, ok) for event_id, n, ok in rows}


def waiting_without_lease() -> int:
    """Unfinished events the periodic sweeper will kick: never claimed (their kick was lost
    with Redis's queue) or due again. Rows under a lease (a dead worker's) or a failed row's
    backoff are left to the operator's catch-up."""
    return pg_rows(
        "SELECT count(*) FROM payments_stripeevent WHERE status NOT IN ('processed', 'ignored') "
        "AND (attempts = 0 OR next_attempt_at <= now())"
    )[0][0]


def drain(sb: Sandbox, env: dict, figures: dict, timeout: float) -> None:
    sb.control("DELETE", "faults")
    sb.control("POST", "webhooks/drain", {"timeout": 60})
    started = time.monotonic()
    figures["unfinished_at_drain_start"] = unfinished_events()[1]
    # The workers and the periodic sweeper (every minute, rows older than 30 s) recover
    # everything except rows a killed worker holds under its 5-minute lease. An event that
    # failed on an injected 429/500 waits 30 s, then the next sweep: give that two rounds.
    try:
        c.wait_for("the workers and the sweeper to process every event no worker holds",
                   lambda: waiting_without_lease() == 0, timeout, every=1.0)  # fmt: skip
        figures["drained_by_workers_s"] = round(time.monotonic() - started, 1)
    except c.Timeout:
        figures["drained_by_workers_s"] = f"not within {timeout:.0f}s"
    figures["left_without_lease"] = waiting_without_lease()
    left = unfinished_events()[1]
    figures["left_for_catch_up"] = left
    if left:
        print(f"   {left} events left (a dead worker's lease, or the sweeper not yet round);"
              " running stripe_catch_up", flush=True)  # fmt: skip
        out = manage(env, "stripe_catch_up", "--stale-after", "5")
        figures["catch_up"] = out.strip().replace("\n", "; ")
        c.wait_for("every stored event processed after stripe_catch_up",
                   lambda: unfinished_events()[1] == 0, 60, every=1.0)  # fmt: skip


def verify(sb: Sandbox, sandbox_db: Path, endpoint_id: str, setup: dict, traffic: Traffic,
           figures: dict) -> list[str]:  # fmt: skip
    problems: list[str] = []
    # Events: every one the sandbox created for our endpoint is stored once, processed.
    created = sandbox_endpoint_events(sandbox_db, endpoint_id)
    stored = {
        event_id: (status, attempts)
        for event_id, status, attempts in pg_rows(
            "SELECT event_id, status, attempts FROM payments_stripeevent"
        )
    }
    (dupes,) = pg_rows("SELECT count(*) - count(DISTINCT event_id) FROM payments_stripeevent")[0]
    lost = sorted(set(created) - set(stored))
    posted = traffic.posted_ids
    lost += sorted(posted - set(stored))
    figures["signed_events_posted_unique"] = len(posted)
    unprocessed = sorted(
        e for e in created if e in stored and stored[e][0] not in ("processed", "ignored")
    )
    undelivered = sorted(e for e, (_, ok) in created.items() if not ok)
    if lost:
        problems.append(
            f"{len(lost)} events sent to the endpoint (by the sandbox or signed posts) are not stored: {lost[:5]}"
        )
    unprocessed += sorted(
        e for e in posted if e in stored and stored[e][0] not in ("processed", "ignored")
    )
    if unprocessed:
        problems.append(f"{len(unprocessed)} events stored but not processed: {unprocessed[:5]}")
    if dupes:
        problems.append(f"{dupes} duplicate StripeEvent rows")
    figures["events_created_for_endpoint"] = len(created)
    figures["deliveries"] = sum(n for n, _ in created.values())
    figures["events_delivered_more_than_once"] = sum(1 for n, _ in created.values() if n > 1)
    figures["events_never_delivered_ok"] = len(undelivered)
    figures["events_stored"] = len(stored)
    figures["events_by_status"] = {
        s: sum(1 for st, _ in stored.values() if st == s)
        for s in sorted({st for st, _ in stored.values()})
    }
    figures["events_needing_more_than_one_attempt"] = sum(1 for _, a in stored.values() if a > 1)
    # Accounts: what Firmpay shows equals what Stripe says.
    db_accounts = {
        acct: (charges, payouts)
        for acct, charges, payouts in pg_rows(
            "SELECT stripe_account_id, charges_enabled, payouts_enabled FROM payments_paymentaccount "
            "WHERE disconnected_at IS NULL AND stripe_account_id <> ''"
        )
    }
    wrong_accounts = []
    for acct in setup["accounts"]:
        truth = sb.api("GET", f"/v1/accounts/{acct}")
        expected = (truth["charges_enabled"], truth["payouts_enabled"])
        if db_accounts.get(acct) != expected:
            wrong_accounts.append(f"{acct}: firmpay {db_accounts.get(acct)} stripe {expected}")
    if wrong_accounts:
        problems.append(f"{len(wrong_accounts)} accounts differ from Stripe: {wrong_accounts[:5]}")
    figures["accounts_checked"] = len(setup["accounts"])
    # Invoices: amount paid and status equal what the sandbox says happened.
    problems += traffic.verify_invoices(pg_rows, figures)
    return problems


def machine_lock(timeout: float):
    import fcntl

    handle = open(LOCK_PATH, "w")  # noqa: SIM115 - held for the whole run
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return handle
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise c.Timeout(f"another scale test held {LOCK_PATH} for {timeout:.0f}s") from None
            time.sleep(1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, default=40)
    parser.add_argument("--invoices", type=int, default=200)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--drain-timeout", type=float, default=150)
    parser.add_argument("--keep", action="store_true", help="keep the work dir and database")
    parser.add_argument("--db", help="PostgreSQL database to create and drop (default: per run)")
    parser.add_argument("--redis-db", type=int, help="Redis db number to flush (default 5)")
    args = parser.parse_args()
    global DB_NAME, REDIS_DB
    DB_NAME, REDIS_DB = args.db or DB_NAME, REDIS_DB if args.redis_db is None else args.redis_db

    lock = machine_lock(600)
    started = time.monotonic()
    figures: dict = {}
    problems: list[str] = []
    procs: list[c.Proc] = []
    lb = None
    work = Path(tempfile.mkdtemp(prefix="firmpay-scale-"))
    logs = work / "logs"
    logs.mkdir()
    try:
        if not c.port_open(5432):
            raise RuntimeError("PostgreSQL is not answering on 127.0.0.1:5432")
        c.redis_ensure_up()
        c.pg_recreate(DB_NAME)
        c.redis_flush(REDIS_DB)
        sandbox_port, lb_port = c.free_port(), c.free_port()
        web_ports = [c.free_port(), c.free_port()]
        sandbox_url = f"http://127.0.0.1:{sandbox_port}"
        sandbox_db = work / "stripe_sandbox.sqlite3"
        print(f"==> work dir {work}; sandbox :{sandbox_port}, web :{web_ports} behind :{lb_port}",
              flush=True)  # fmt: skip
        sandbox = c.Proc("sandbox", [c.PYTHON, "-m", "stripe_sandbox", "--port", str(sandbox_port),
                         "--data", str(sandbox_db), "--verification-delay", "-1",
                         "--secret-key", c.SANDBOX_KEY, "--client-id", c.SANDBOX_CLIENT_ID],
                         dict(os.environ), logs)  # fmt: skip
        procs.append(sandbox.start())
        c.wait_for("the Stripe sandbox", lambda: c.http_ok(f"{sandbox_url}/_sandbox/clock"), 30)
        sb = Sandbox(sandbox_url)
        sb.control("POST", "config", {"webhook_retry_base": 1, "webhook_max_attempts": 12})

        env = app_env(work, sandbox_url, lb_port)
        manage(env, "migrate", "--noinput")
        manage(env, "stripe_setup", "--url", f"http://127.0.0.1:{lb_port}/webhooks/stripe/")
        env["STRIPE_WEBHOOK_SECRET"] = (
            (work / "secrets" / "stripe_webhook_secret").read_text().strip()
        )
        endpoint_id = sb.endpoint_id(f"http://127.0.0.1:{lb_port}/webhooks/stripe/")

        webs = [
            c.Proc(
                f"web{i}",
                [
                    c.GUNICORN,
                    "config.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    "1",
                    "--timeout",
                    "60",
                ],
                env,
                logs,
            )  # fmt: skip
            for i, port in enumerate(web_ports)
        ]
        huey = [
            "manage.py",
            "run_huey",
            "--workers",
            "2",
            "--worker-type",
            "thread",
            "--max-delay",
            "1",
        ]
        workers = [
            c.Proc("worker0-periodic", [c.PYTHON, *huey], env, logs),
            c.Proc("worker1", [c.PYTHON, *huey, "--no-periodic"], env, logs),
            c.Proc("worker2", [c.PYTHON, *huey, "--no-periodic"], env, logs),
        ]
        for proc in webs + workers:
            procs.append(proc.start())
        lb = c.LoadBalancer(lb_port, web_ports).start()
        for port in web_ports:
            c.wait_for(
                f"/readyz on :{port}", lambda p=port: c.http_ok(f"http://127.0.0.1:{p}/readyz"), 60
            )
        figures["startup_s"] = round(time.monotonic() - started, 1)

        # 1. Connect (events duplicated meanwhile).
        print(f"==> connecting {args.firms} firms", flush=True)
        sb.fault_events("duplicate", 30)
        setup_env = {**env, "HUEY_IMMEDIATE": "false"}
        out = subprocess.run([c.PYTHON, "scripts/scale/app_setup.py", str(args.firms), str(args.invoices)],
                             cwd=c.ROOT, env=setup_env, capture_output=True, text=True, timeout=300)  # fmt: skip
        if out.returncode:
            raise RuntimeError(f"setup failed:\n{out.stderr[-3000:]}")
        setup = json.loads(out.stdout.strip().splitlines()[-1])
        c.wait_for("every account to take charges (learnt from webhooks)",
                   lambda: pg_rows("SELECT count(*) FROM payments_paymentaccount WHERE charges_enabled")[0][0]
                   >= args.firms, 120, every=0.5)  # fmt: skip
        figures["connect_s"] = round(time.monotonic() - started - figures["startup_s"], 1)

        # 2. Traffic under faults, with a worker SIGKILLed and Redis restarted mid-run.
        traffic = Traffic(
            sb, lb_port, setup, clients=args.clients, secret=env["STRIPE_WEBHOOK_SECRET"]
        )
        print(f"==> traffic: {traffic.describe()}", flush=True)
        chaos_log: list[str] = []

        chaos_errors: list[str] = []

        def chaos() -> None:
            try:
                misbehave()
            except Exception as error:  # noqa: BLE001 - reported after the traffic
                chaos_errors.append(f"{type(error).__name__}: {error}")

        def misbehave() -> None:
            traffic.wait_progress(0.3, timeout=120)
            victim = workers[1]
            victim.kill9()
            chaos_log.append(f"SIGKILL {victim.name} at {traffic.progress():.0%}")
            time.sleep(1.0)
            victim.start()
            chaos_log.append(f"restarted {victim.name}")
            traffic.wait_progress(0.6, timeout=120)
            down = c.redis_restart()
            chaos_log.append(f"Redis restarted at {traffic.progress():.0%} (down {down:.1f}s)")

        chaos_thread = threading.Thread(target=chaos, daemon=True)
        chaos_thread.start()
        traffic_started = time.monotonic()
        traffic.run()
        chaos_thread.join(timeout=150)
        if chaos_thread.is_alive():
            raise c.Timeout("the chaos schedule (kill, Redis restart) did not finish")
        if chaos_errors:
            raise RuntimeError(f"the chaos schedule failed: {chaos_errors[0]}")
        if traffic.counts["errors"]:
            problems.append(f"{traffic.counts['errors']} traffic errors: {traffic.errors[:3]}")
        figures["traffic_s"] = round(time.monotonic() - traffic_started, 1)
        figures["chaos"] = chaos_log
        figures["faults_injected"] = sb.faults_figures()
        figures["traffic"] = traffic.figures()

        # 3. Drain, then the operator's catch-up if the workers could not finish alone.
        print("==> draining", flush=True)
        drain_started = time.monotonic()
        drain(sb, env, figures, args.drain_timeout)
        figures["drain_s"] = round(time.monotonic() - drain_started, 1)

        # 4. Proof.
        problems += verify(sb, sandbox_db, endpoint_id, setup, traffic, figures)
        for proc in webs + workers:
            if not proc.alive():
                problems.append(f"{proc.name} died (see {logs / (proc.name + '.log')})")
        figures["worker_starts"] = {w.name: w.starts for w in workers}
    except Exception as error:  # noqa: BLE001 - reported below, exit 1
        problems.append(f"{type(error).__name__}: {error}")
    finally:
        if lb is not None:
            lb.stop()
        for proc in reversed(procs):
            try:
                proc.stop()
            except Exception as error:  # noqa: BLE001
                problems.append(f"could not stop {proc.name}: {error}")
        try:
            c.redis_ensure_up()
        except Exception as error:  # noqa: BLE001
            problems.append(f"REDIS IS NOT BACK UP: {error}")
        if not args.keep:
            try:
                c.pg_drop(DB_NAME)
            except Exception as error:  # noqa: BLE001
                problems.append(f"could not drop {DB_NAME}: {error}")
    figures["total_s"] = round(time.monotonic() - started, 1)
    print(json.dumps(figures, indent=2))
    if problems:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copytree(logs, ARTIFACTS / time.strftime("%Y%m%d-%H%M%S"), dirs_exist_ok=True)
        print("SCALE TEST FAILED:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        print(f"  logs kept under {ARTIFACTS}", file=sys.stderr)
    else:
        print("SCALE TEST PASSED: no event lost, none applied twice, every state matches Stripe")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    lock.close()
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
