"""Clients paying invoices, end to end: 1,000 payments completed in the Stripe sandbox with
their events delivered to the running app.

Starts Firmpay exactly as `make run` does (`scripts/run.sh`: the embedded default, SQLite,
the Stripe sandbox, migrations, `stripe_setup`, gunicorn with 2 sync workers, the Huey
worker) on a fresh temporary FIRMPAY_DATA_DIR, with the SDK's request log on
(`STRIPE_LOG=info`) so every call Firmpay makes to Stripe is counted. Connects 10 firms'
accounts, sends them invoices, then for each invoice from 4 concurrent clients: open the
client page, press Pay (Firmpay creates the Checkout Session), and pay it in the sandbox
(`POST /_sandbox/checkout/sessions/{cs}/pay`, card, success), which emits the events the
sandbox delivers to `/webhooks/stripe/`. A watcher reads the database and notes when each
invoice turns `paid`.

Prints progress, then JSON on the last line: payments, paid, p50_ms and p99_ms (event sent,
i.e. the sandbox's pay call returned → invoice status updated), api_calls_per_payment
(Stripe API requests Firmpay made during the payments / payments), and a few more.

    .venv/bin/python bench/payments.py [--payments 1000] [--clients 4] [--firms 10]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _app import (  # noqa: E402 - the benches' shared app start/stop helpers
    PYTHON,
    ROOT,
    SANDBOX_KEY,
    free_port,
    percentile,
    start_app,
    stop_app,
    wait_http,
)

REQUEST_LOG = "message='Request to Stripe api'"


def setup(data_dir: Path, port: int, sandbox_port: int, firms: int, invoices: int) -> list:
    """Paid firms with verified sandbox accounts, a client each, invoices sent."""
    code = f"""
import json, urllib.request
from firmpay.tenancy.models import Firm
from firmpay.clients.services import client_create
from firmpay.invoices.services import invoice_send
from firmpay.invoices.tests.builders import invoice_build, line
from firmpay.invoices.links import invoice_link_path
from firmpay.payments.services import payment_account_create, payment_account_refresh
rows = []
made = []
for i in range({firms}):
    firm = Firm.objects.create(name=f"Bench firm {{i}}", plan="standard", email=f"bench{{i}}@firm.test")
    account = payment_account_create(firm=firm, actor=None)
    request = urllib.request.Request(
        "http://127.0.0.1:{sandbox_port}/_sandbox/accounts/" + account.stripe_account_id + "/state",
        data=b'{{"state": "verified"}}', method="POST", headers={{"Content-Type": "application/json"}})
    urllib.request.urlopen(request).read()
    payment_account_refresh(account=account)
    client = client_create(firm=firm, name=f"Client {{i}}", email=f"client{{i}}@bench.test", currency="USD")
    made.append((firm, client))
for n in range({invoices}):
    firm, client = made[n % len(made)]
    invoice = invoice_build(firm=firm, client=client, lines=[line(unit_amount=10000 + n)])
    invoice_send(invoice=invoice)
    rows.append([invoice.pk, invoice_link_path(invoice)])
print(json.dumps(rows))
"""
    env = {
        **os.environ,
        "FIRMPAY_DATA_DIR": str(data_dir),
        "PORT": str(port),
        "STRIPE_API_BASE": f"http://127.0.0.1:{sandbox_port}",
        "STRIPE_SECRET_KEY": SANDBOX_KEY,
        "LOG_LEVEL": "WARNING",
        "HUEY_IMMEDIATE": "false",
    }
    out = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode:
        raise SystemExit(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def control(sandbox_port: int, path: str, body: dict) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{sandbox_port}/_sandbox/{path}",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
        return json.loads(response.read() or b"{}")


CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SESSION_ID = re.compile(r"(cs_[A-Za-z0-9_]+)")


def pay_one(conn: http.client.HTTPConnection, path: str) -> str:
    """Open the client page, press Pay; returns the Checkout Session id."""
    conn.request("GET", path)
    response = conn.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie", "").split(";")[0]
    token = CSRF_INPUT.search(page).group(1)
    body = f"csrfmiddlewaretoken={token}".encode()
    conn.request(
        "POST",
        path + "pay/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookie,
            "Referer": f"http://127.0.0.1{path}",
        },
    )
    response = conn.getresponse()
    response.read()
    location = response.getheader("Location", "")
    if response.status != 303:
        raise RuntimeError(f"pay answered {response.status}")
    return SESSION_ID.search(location).group(1)


def first_received(db: Path) -> dict[int, float]:
    """Per invoice, when our webhook stored the first of its payment's events (wall clock)."""
    out: dict[int, float] = {}
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as conn:
        rows = conn.execute(
            "SELECT payload, received_at FROM payments_stripeevent "
            "WHERE type LIKE 'checkout.%' OR type LIKE 'payment_intent.%' OR type LIKE 'charge.%'"
        )
        for payload, received_at in rows:
            meta = (json.loads(payload)["data"]["object"].get("metadata")) or {}
            invoice = meta.get("firmpay_invoice_id")
            if not invoice:
                continue
            at = datetime.fromisoformat(received_at).replace(tzinfo=UTC).timestamp()
            out[int(invoice)] = min(out.get(int(invoice), at), at)
    return out


def events_stored(db: Path) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as conn:
        return conn.execute(
            "SELECT count(*) FROM payments_stripeevent WHERE type NOT LIKE 'account%' "
            "AND type NOT LIKE 'capability%'"
        ).fetchone()[0]


def count_requests(log: Path) -> int:
    return log.read_text(errors="replace").count(REQUEST_LOG)


def run(args) -> dict:
    data_dir = Path(tempfile.mkdtemp(prefix="firmpay-bench-pay-"))
    port, sandbox_port = free_port(), free_port()
    print(f"data dir {data_dir}; app on {port}, sandbox on {sandbox_port}", flush=True)
    # the SDK prints one line per request to stderr: we count them
    proc = start_app(data_dir, port, sandbox_port, {"STRIPE_LOG": "info"})
    try:
        wait_http(f"http://127.0.0.1:{port}/webhooks/stripe/", 180, proc)
        rows = setup(data_dir, port, sandbox_port, args.firms, args.payments)
        print(f"{len(rows)} invoices sent by {args.firms} firms", flush=True)
        time.sleep(3)  # onboarding events and invoice emails settle
        db = data_dir / "firmpay.sqlite3"
        log = data_dir / "run.log"
        calls_before = count_requests(log)
        sent_at: dict[int, float] = {}  # wall clock (time.time), to compare with the DB
        paid_at: dict[int, float] = {}
        failures: list[str] = []
        done = threading.Event()

        def watcher() -> None:
            conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
            while not done.is_set() or len(paid_at) < len(sent_at):
                waiting = [i for i in sent_at if i not in paid_at]
                if waiting:
                    marks = ",".join("?" * len(waiting))
                    query = (
                        f"SELECT id FROM invoices_invoice WHERE status='paid' AND id IN ({marks})"  # noqa: S608
                    )
                    now = time.time()
                    for (invoice_id,) in conn.execute(query, waiting):
                        paid_at[invoice_id] = now
                if done.is_set() and time.time() - last_sent[0] > args.drain_timeout:
                    break
                time.sleep(0.02)
            conn.close()

        last_sent = [time.time()]
        interval = args.clients / args.rate  # each client's pace

        def client(index: int, chunk: list) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            start = time.time() + index * interval / args.clients
            for n, (invoice_id, path) in enumerate(chunk):
                time.sleep(max(0.0, start + n * interval - time.time()))
                try:
                    session_id = pay_one(conn, path)
                    control(
                        sandbox_port,
                        f"checkout/sessions/{session_id}/pay",
                        {"method": "card", "outcome": "succeed"},
                    )
                    sent_at[invoice_id] = last_sent[0] = time.time()
                except Exception as error:  # noqa: BLE001 - counted and reported
                    failures.append(repr(error))
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

        watch = threading.Thread(target=watcher)
        watch.start()
        started = time.perf_counter()
        chunks = [rows[i :: args.clients] for i in range(args.clients)]
        threads = [
            threading.Thread(target=client, args=(index, chunk))
            for index, chunk in enumerate(chunks)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        pay_s = time.perf_counter() - started
        print(f"{len(sent_at)} paid in the sandbox in {pay_s:.1f}s; waiting", flush=True)
        done.set()
        watch.join()
        time.sleep(1)
        calls = count_requests(log) - calls_before
        latencies = [(paid_at[i] - sent_at[i]) * 1000 for i in sent_at if i in paid_at]
        received = first_received(db)
        from_receipt = [
            (paid_at[i] - received[i]) * 1000 for i in sent_at if i in paid_at and i in received
        ]
        if failures:
            print(f"failures: {failures[:5]}", flush=True)
        return {
            "payments": len(rows),
            "paid_in_sandbox": len(sent_at),
            "paid": len(latencies),
            "failures": len(failures),
            "pay_s": round(pay_s, 1),
            "payments_per_s": round(len(sent_at) / pay_s, 1),
            "p50_ms": round(percentile(latencies, 50), 1) if latencies else None,
            "p99_ms": round(percentile(latencies, 99), 1) if latencies else None,
            "max_ms": round(max(latencies), 1) if latencies else None,
            "rate_per_s": args.rate,
            "from_webhook_p50_ms": round(percentile(from_receipt, 50), 1) if from_receipt else None,
            "from_webhook_p99_ms": round(percentile(from_receipt, 99), 1) if from_receipt else None,
            "events_per_payment": round(events_stored(db) / max(len(sent_at), 1), 2),
            "api_calls": calls,
            "api_calls_per_payment": round(calls / max(len(sent_at), 1), 2),
        }
    finally:
        stop_app(proc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rate", type=float, default=10, help="payments per second, all clients")
    parser.add_argument("--firms", type=int, default=10)
    parser.add_argument("--drain-timeout", type=float, default=120)
    print(json.dumps(run(parser.parse_args())))


if __name__ == "__main__":
    sys.exit(main())
