"""Autopay at scale: N due autopay invoices across M firms, issued by the recurring sweep
and charged through the Stripe sandbox with the real `stripe` SDK over HTTP.

The sandbox runs as its own process (`python -m stripe_sandbox`, in-memory data). Setup
(setup_s): per firm a verified connected account and one client who saved a card through
a real setup-mode Checkout Session (`/_sandbox/checkout/sessions/{cs}/setup`), the API
requests encoded as the SDK encodes them and sent through the sandbox's batch control call
(`/_sandbox/batch`: each runs through the same pipeline as over HTTP), then the
Django rows bulk-inserted (SQLite in a temporary FIRMPAY_DATA_DIR, or DATABASE_URL): firms,
accounts, clients, customers, authorisations, and N monthly schedules collected
automatically on issue whose next issue is today.

Timed: (1) the issuing sweep `recurring_sweep()` (sweep_s, sweep_cpu_s): N invoices issued
and marked for collection; (2) charging: `--workers` processes each run `autopay_sweep()`
at once (the product's claim: each takes rows the others do not hold), then one more sweep
and one "after a crash" 10 minutes later, which must charge nothing (charge_s,
charges_per_s, charge_cpu_s per charge over the workers). Counted from the sandbox's own
record: PaymentIntents listed per connected account, grouped by the invoice id in their
metadata (double_charged = invoices with more than one), and the API requests Firmpay's
SDK made while charging (api_calls_per_charge).

With --deliver-events, then: the Connect events the sandbox recorded for the charges, of
the types the webhook endpoint subscribes to (payment_intent.succeeded and charge.succeeded
per card charge), are stored as the webhook stores them (`stripe_event_store`, no signature
check, no HTTP: bench/webhooks.py measures the ingest) and processed in the bench process
by the worker's batch call until none is due (events_cpu_ms_per_charge,
events_cpu_ms_per_event, statements_per_event, events_per_s: wall time of the processing).

Prints progress, then JSON on the last line:
{"invoices", "charged", "double_charged", "api_calls_per_charge", "sweep_s", "peak_mb",
 "charges_per_s", "loadavg", ...}

    .venv/bin/python bench/autopay.py [--invoices 100000] [--firms 10000] [--workers 2]
        [--port 12345] [--deliver-events] [--sweep-only]

--sweep-only stops after the issuing sweep and prints its figures (no charging);
BENCH_SWEEP_PROFILE=<file> writes a cProfile of the sweep.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _app import PYTHON, SANDBOX_KEY, free_port  # noqa: E402

CLIENT_ID = "ca_SandboxPlatform000000000000000"


def control(base: str, method: str, path: str, body: dict | None = None) -> dict:
    data = json.dumps(body or {}).encode() if method != "GET" else None
    request = urllib.request.Request(
        f"{base}/_sandbox/{path}",
        data=data,
        method=method,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read() or b"null")


def process_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def sandbox_start(port: int) -> subprocess.Popen:
    profile = os.environ.get("BENCH_PROFILE")
    launch = ["-m", "stripe_sandbox"]
    if profile:
        launch = [str(Path(__file__).resolve().parent / "_sandbox_profiled.py")]
    proc = subprocess.Popen(
        [
            PYTHON,
            *launch,
            "--port",
            str(port),
            "--data",
            ":memory:",
            "--verification-delay",
            "-1",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "BENCH_SANDBOX_PROFILE": f"{profile}.sandbox"} if profile else None,
    )
    for _ in range(200):
        try:
            control(f"http://127.0.0.1:{port}", "GET", "clock")
            return proc
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the sandbox did not start")


SETUP_CHUNK = 500  # requests per batch call


def _api(method: str, path: str, params: dict, account: str = "") -> dict:
    """One API request as the SDK sends it (its own form encoding, the secret key,
    Stripe-Account), for the sandbox's batch control call."""
    from urllib.parse import urlencode

    from stripe._encode import _api_encode

    headers = {"Authorization": f"Bearer {SANDBOX_KEY}"}
    if account:
        headers["Stripe-Account"] = account
    return {
        "method": method,
        "path": path,
        "headers": headers,
        "body": urlencode(list(_api_encode(params))),
    }


def _batched(base: str, requests: list[dict], threads: int) -> list[dict]:
    """The answers' bodies, in order; any answer but 200 stops the bench."""
    chunks = [requests[i : i + SETUP_CHUNK] for i in range(0, len(requests), SETUP_CHUNK)]
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        answers = [
            answer
            for chunk in pool.map(lambda c: control(base, "POST", "batch", {"requests": c}), chunks)
            for answer in chunk["responses"]
        ]
    for answer in answers:
        if answer["status"] != 200:
            raise SystemExit(f"bench setup: the sandbox answered {answer}")
    return [answer["body"] for answer in answers]


def firms_setup(base: str, firms: int, threads: int) -> list[tuple[str, str, str]]:
    """Per firm a verified account and a customer with a card saved through a setup-mode
    Checkout Session: (account, customer, payment method). The same requests, in the same
    order per firm, as the SDK and the control API over HTTP; sent in batches (the sandbox's
    `/_sandbox/batch`), a stage at a time, as 5 round trips per firm took minutes at 10,000."""
    accounts = [
        body["id"]
        for body in _batched(
            base,
            [
                _api(
                    "POST",
                    "/v1/accounts",
                    {
                        "country": "US",
                        "email": f"owner{n}@firm.example",
                        "business_profile": {"name": f"Firm {n}"},
                        "capabilities": {
                            "card_payments": {"requested": True},
                            "transfers": {"requested": True},
                        },
                    },
                )
                for n in range(firms)
            ],
            threads,
        )
    ]
    verify = [
        {"method": "POST", "path": f"/_sandbox/accounts/{a}/state", "body": {"state": "verified"}}
        for a in accounts
    ]
    _batched(base, verify, threads)
    customers = [
        body["id"]
        for body in _batched(
            base,
            [
                _api("POST", "/v1/customers", {"name": f"Client {n}"}, account)
                for n, account in enumerate(accounts)
            ],
            threads,
        )
    ]
    sessions = [
        body["id"]
        for body in _batched(
            base,
            [
                _api(
                    "POST",
                    "/v1/checkout/sessions",
                    {
                        "mode": "setup",
                        "customer": customer,
                        "currency": "usd",
                        "allowed_payment_method_types": ["card"],
                        "success_url": "http://127.0.0.1:9/ok",
                        "cancel_url": "http://127.0.0.1:9/no",
                    },
                    account,
                )
                for account, customer in zip(accounts, customers, strict=True)
            ],
            threads,
        )
    ]
    saved = _batched(
        base,
        [
            {
                "method": "POST",
                "path": f"/_sandbox/checkout/sessions/{session}/setup",
                "body": {"method": "card"},
            }
            for session in sessions
        ],
        threads,
    )
    return [
        (account, customer, body["payment_method"]["id"])
        for account, customer, body in zip(accounts, customers, saved, strict=True)
    ]


def django_setup(data_dir: str, base: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["FIRMPAY_DATA_DIR"] = data_dir
    os.environ["STRIPE_API_BASE"] = base
    os.environ["STRIPE_SECRET_KEY"] = SANDBOX_KEY
    os.environ["STRIPE_CONNECT_CLIENT_ID"] = CLIENT_ID
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ.pop("REDIS_URL", None)  # Huey on its own SQLite file in the temp dir
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()
    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STRIPE_API_BASE = base
    settings.STRIPE_SECRET_KEY = SANDBOX_KEY
    settings.STRIPE_CONNECT_CLIENT_ID = CLIENT_ID


def rows_create(stripe_rows: list[tuple[str, str, str]], invoices: int, now) -> None:
    """Firms with a connected account, one client each with an active card authorisation,
    and `invoices` monthly schedules (collected on issue) whose next issue is due at `now`."""
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import connection, transaction

    from firmpay.clients.models import Client
    from firmpay.payments.autopay.models import AutopayAuthorisation, AutopayCustomer
    from firmpay.payments.models import PaymentAccount
    from firmpay.recurring.dates import issuing_day
    from firmpay.recurring.models import Schedule, ScheduleLine
    from firmpay.tenancy.models import Firm

    call_command("migrate", verbosity=0)
    day = issuing_day(now, zone_name="UTC")
    snapshot = {
        "charges_enabled": True,
        "payouts_enabled": True,
        "capabilities": {
            "card": "active",
            "ach": "inactive",
            "bacs": "inactive",
            "transfers": "active",
        },
    }
    with transaction.atomic():
        firms = Firm.objects.bulk_create(
            [
                Firm(
                    name=f"Firm {i}",
                    plan="standard",
                    country="US",
                    email=f"f{i}@firm.test",
                    default_currency="USD",
                    timezone="UTC",
                )
                for i in range(len(stripe_rows))
            ],
            batch_size=2000,
        )
        PaymentAccount.objects.bulk_create(
            [
                PaymentAccount(
                    firm=f,
                    stripe_account_id=acct,
                    created_via="platform",
                    status="active",
                    charges_enabled=True,
                    payouts_enabled=True,
                    snapshot={"id": acct, **snapshot},
                    snapshot_at=now,
                )
                for f, (acct, _, _) in zip(firms, stripe_rows, strict=True)
            ],
            batch_size=2000,
        )
        clients = Client.objects.bulk_create(
            [
                Client(firm=f, name=f"Client {i}", email=f"c{i}@client.test", currency="USD")
                for i, f in enumerate(firms)
            ],
            batch_size=2000,
        )
        customers = AutopayCustomer.objects.bulk_create(
            [
                AutopayCustomer(firm=f, client=c, stripe_account_id=acct, stripe_customer_id=cus)
                for f, c, (acct, cus, _) in zip(firms, clients, stripe_rows, strict=True)
            ],
            batch_size=2000,
        )
        AutopayAuthorisation.objects.bulk_create(
            [
                AutopayAuthorisation(
                    firm=f,
                    client=c,
                    customer=cu,
                    stripe_account_id=acct,
                    status="active",
                    payment_method_id=pm,
                    method="card",
                    last4="4242",
                    brand="visa",
                    exp_month=12,
                    exp_year=2034,
                    authorised_at=now,
                )
                for f, c, cu, (acct, _, pm) in zip(
                    firms, clients, customers, stripe_rows, strict=True
                )
            ],
            batch_size=2000,
        )
        schedules = Schedule.objects.bulk_create(
            [
                Schedule(
                    firm=firms[n % len(firms)],
                    client=clients[n % len(firms)],
                    currency="USD",
                    frequency="monthly",
                    start_date=day - datetime.timedelta(days=365),
                    issue_day=day.day,
                    payment_terms_days=14,
                    notes="Monthly retainer",
                    autopay="on_issue",
                    status="active",
                    next_issue_on=day,
                    issued_count=12,
                )
                for n in range(invoices)
            ],
            batch_size=2000,
        )
        ScheduleLine.objects.bulk_create(
            [
                ScheduleLine(
                    schedule=schedule,
                    description="Bookkeeping retainer",
                    quantity=Decimal(1),
                    unit_amount=10_000 + n % 7 * 100,
                )
                for n, schedule in enumerate(schedules)
            ],
            batch_size=2000,
        )
    # Statistics, as autovacuum keeps them on a live database (and bench/recurring.py's seed
    # does): without them PostgreSQL's planner guessed a handful of due schedules and
    # locked each batch through a nested loop, 17 s a batch.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


class CallCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.calls = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "Request to Stripe api" in record.getMessage():
            self.calls += 1


def issue(now) -> dict:
    """The timed issuing sweep (the invoices it issues are marked for collection)."""
    from firmpay.payments.autopay.models import InvoiceAutopay
    from firmpay.recurring.sweep import recurring_sweep

    profile = os.environ.get("BENCH_SWEEP_PROFILE")
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started, cpu = time.perf_counter(), time.process_time()
    result = recurring_sweep(now=now)
    if profile:
        profiler.disable()
        profiler.dump_stats(profile)
    return {
        "issued": result.issued,
        "sweep_s": round(time.perf_counter() - started, 2),
        "sweep_cpu_s": round(time.process_time() - cpu, 2),
        "marked_for_autopay": InvoiceAutopay.objects.count(),
    }


def child_charge() -> dict:
    """One charging worker: the product's sweep, counting its SDK requests and its SQL
    statements (BENCH_SQL=prefix: written to prefix.<pid>; BENCH_PROFILE=prefix: cProfile)."""
    stripe_logger = logging.getLogger("stripe")
    stripe_logger.setLevel(logging.INFO)
    stripe_logger.propagate = False
    counter = CallCounter()
    stripe_logger.addHandler(counter)
    from django.db import connection

    statements: list[str] = []

    def counted(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    cpu = time.process_time()
    with connection.execute_wrapper(counted):
        result = _child_sweep()
    if os.environ.get("BENCH_SQL"):
        Path(f"{os.environ['BENCH_SQL']}.{os.getpid()}").write_text("\n".join(statements))
    return {
        "charged": result.charged,
        "picked": result.picked,
        "calls": counter.calls,
        "queries": len(statements),
        "cpu_s": time.process_time() - cpu,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _child_sweep():
    from firmpay.payments.autopay.charges import autopay_sweep

    if os.environ.get("BENCH_PROFILE"):
        import cProfile

        profile = cProfile.Profile()
        result = profile.runcall(autopay_sweep)
        profile.dump_stats(f"{os.environ['BENCH_PROFILE']}.{os.getpid()}")
        return result
    return autopay_sweep()


def charge(workers: int, data_dir: str, base: str) -> dict:
    """`workers` processes sweep at once; then a second sweep and one 10 minutes later."""
    from django.db import connection
    from django.utils import timezone

    from firmpay.payments.autopay.charges import autopay_sweep

    connection.close()
    command = [PYTHON, __file__, "--child", "--data-dir", data_dir, "--base", base]
    started = time.perf_counter()
    procs = [
        subprocess.Popen(command, stdout=subprocess.PIPE, cwd=ROOT, text=True)
        for _ in range(workers)
    ]
    outputs = [proc.communicate()[0] for proc in procs]
    charge_s = time.perf_counter() - started
    if any(proc.returncode for proc in procs):
        raise SystemExit("bench: a charging worker failed")
    results = [json.loads(out.strip().splitlines()[-1]) for out in outputs]
    again = autopay_sweep()
    after_crash = autopay_sweep(now=timezone.now() + datetime.timedelta(minutes=10))
    charged = sum(r["charged"] for r in results)
    print(
        f"charging: {workers} workers {[r['charged'] for r in results]} charged in "
        f"{charge_s:.1f}s; again {again}; 10 min later {after_crash}",
        flush=True,
    )
    return {
        "charged_by_workers": charged,
        "again_picked": again.picked + after_crash.picked,
        "api_calls": sum(r["calls"] for r in results),
        "queries_per_charge": round(sum(r["queries"] for r in results) / max(charged, 1), 1),
        "charge_s": round(charge_s, 1),
        "charges_per_s": round(charged / charge_s, 1) if charge_s else None,
        "charge_cpu_ms_per_charge": round(
            1000 * sum(r["cpu_s"] for r in results) / max(charged, 1), 2
        ),
        "workers_peak_mb": round(max(r["peak_mb"] for r in results), 1),
    }


def sandbox_count(base: str, stripe_rows) -> dict:
    """PaymentIntents per invoice as the sandbox records them (listed per account)."""
    import stripe

    client = stripe.StripeClient(SANDBOX_KEY, base_addresses={"api": base})

    def per_account(account: str) -> list[str]:
        return [
            intent.metadata["firmpay_invoice_id"]
            for intent in client.v1.payment_intents.list(
                params={"limit": 100}, options={"stripe_account": account}
            ).auto_paging_iter()
            if intent.status == "succeeded"
        ]

    per_invoice: dict[str, int] = {}
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        for keys in pool.map(per_account, sorted({acct for acct, _, _ in stripe_rows})):
            for key in keys:
                per_invoice[key] = per_invoice.get(key, 0) + 1
    return {
        "charged": len(per_invoice),
        "double_charged": sum(1 for n in per_invoice.values() if n > 1),
        "payment_intents": sum(per_invoice.values()),
    }


def events_deliver(base: str, stripe_rows, since: int) -> dict:
    """--deliver-events: the Connect events the sandbox recorded since `since` (the charges'
    own), of the types the webhook endpoint subscribes to, stored as the webhook stores them
    (`stripe_event_store`, the signature check left out), then processed by the worker's
    batch call until none is due. Timed and counted: the processing only."""
    import stripe
    from django.conf import settings
    from django.db import connection

    from firmpay.payments.services.events import (
        stripe_event_store,
        stripe_events_process_batch,
    )
    from firmpay.payments.stripe.events import SUBSCRIBED_EVENT_TYPES

    client = stripe.StripeClient(SANDBOX_KEY, base_addresses={"api": base})
    subscribed = set(SUBSCRIBED_EVENT_TYPES)

    def per_account(account: str) -> list[dict]:
        listed = client.v1.events.list(
            params={"limit": 100, "created": {"gte": since}}, options={"stripe_account": account}
        )
        return [e.to_dict() for e in listed.auto_paging_iter() if e.type in subscribed]

    events: list[dict] = []
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        for listed in pool.map(per_account, sorted({acct for acct, _, _ in stripe_rows})):
            events.extend(reversed(listed))  # oldest first, as delivered
    events.sort(key=lambda e: e["created"])
    settings.STRIPE_EVENTS_PROCESS_INLINE = False
    started = time.perf_counter()
    for event in events:
        stripe_event_store(payload=json.dumps(event), data=event)
    store_s = time.perf_counter() - started
    statements = 0

    def counted(execute, sql, params, many, context):
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    done = 0
    cpu, started = time.process_time(), time.perf_counter()
    with connection.execute_wrapper(counted):
        while claimed := stripe_events_process_batch(limit=settings.STRIPE_EVENTS_BATCH):
            done += claimed
    cpu, wall = time.process_time() - cpu, time.perf_counter() - started
    print(f"events: {len(events)} stored in {store_s:.1f}s, processed in {wall:.1f}s", flush=True)
    return {"events": events, "done": done, "cpu_s": cpu, "wall_s": wall, "statements": statements}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--firms", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2, help="charging processes at once")
    parser.add_argument("--setup-threads", type=int, default=2, help="batch calls at once")
    parser.add_argument(
        "--port", type=int, default=0, help="the sandbox's port (default: any free)"
    )
    parser.add_argument(
        "--deliver-events",
        action="store_true",
        help="after charging, store the charges' Connect events and process them (worker)",
    )
    parser.add_argument(
        "--sweep-only",
        action="store_true",
        help="stop after the issuing sweep (no charging; prints the sweep's figures)",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    parser.add_argument("--base", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        django_setup(args.data_dir, args.base)
        print(json.dumps(child_charge()))
        return
    load_before = os.getloadavg()
    firms = min(args.firms, args.invoices)
    port = args.port or free_port()
    base = f"http://127.0.0.1:{port}"
    sandbox = sandbox_start(port)
    try:
        with tempfile.TemporaryDirectory() as data_dir:
            started = time.monotonic()
            stripe_rows = firms_setup(base, firms, args.setup_threads)
            setup_s = time.monotonic() - started
            print(f"sandbox setup: {firms} firms in {setup_s:.1f}s", flush=True)
            django_setup(data_dir, base)
            from django.utils import timezone

            now = timezone.now()
            rows_create(stripe_rows, args.invoices, now)
            print(
                f"rows: {args.invoices} schedules in {time.monotonic() - started:.1f}s", flush=True
            )
            sandbox_cpu = process_cpu_s(sandbox.pid)
            issued = issue(now)
            issued["sandbox_cpu_s_in_sweep"] = round(process_cpu_s(sandbox.pid) - sandbox_cpu, 2)
            print(f"issuing sweep: {issued}", flush=True)
            if args.sweep_only:
                print(json.dumps({**issued, "loadavg": [round(x, 2) for x in os.getloadavg()]}))
                return
            sandbox_cpu = process_cpu_s(sandbox.pid)
            charging_from = int(time.time()) - 1
            charged = charge(args.workers, data_dir, base)
            sandbox_cpu = process_cpu_s(sandbox.pid) - sandbox_cpu
            counted = sandbox_count(base, stripe_rows)
            delivered = (
                events_deliver(base, stripe_rows, charging_from) if args.deliver_events else None
            )
    finally:
        sandbox.terminate()
        sandbox.wait(10)
    calls = charged.pop("api_calls")
    result = {
        "invoices": issued["issued"],
        "charged": counted["charged"],
        "double_charged": counted["double_charged"],
        "api_calls_per_charge": round(calls / max(counted["charged"], 1), 3),
        "sweep_s": issued["sweep_s"],
        "peak_mb": round(
            max(
                charged.pop("workers_peak_mb"),
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            ),
            1,
        ),
        "sweep_cpu_s": issued["sweep_cpu_s"],
        "firms": firms,
        "workers": args.workers,
        "payment_intents": counted["payment_intents"],
        **charged,
        "sandbox_cpu_ms_per_charge": round(1000 * sandbox_cpu / max(counted["charged"], 1), 2),
        "setup_s": round(setup_s, 1),
        **(events_result(delivered, counted["charged"]) if delivered else {}),
        "loadavg": [round(x, 2) for x in (*load_before, *os.getloadavg())],
    }
    print(json.dumps(result))


def events_result(delivered: dict, charged: int) -> dict:
    events = len(delivered["events"])
    return {
        "events_delivered": events,
        "events_processed": delivered["done"],
        "events_per_charge": round(events / max(charged, 1), 2),
        "events_cpu_ms_per_charge": round(1000 * delivered["cpu_s"] / max(charged, 1), 2),
        "events_cpu_ms_per_event": round(1000 * delivered["cpu_s"] / max(events, 1), 3),
        "statements_per_event": round(delivered["statements"] / max(events, 1), 2),
        "events_per_s": round(events / delivered["wall_s"], 1) if delivered["wall_s"] else None,
    }


if __name__ == "__main__":
    main()
