"""Autopay at scale: N due autopay invoices across M firms charged through the Stripe
sandbox by the charging sweep.

The sandbox runs as its own process (`python -m stripe_sandbox`, in-memory data). Setup
(not timed): per firm a verified connected account and one client who saved a card through
a real setup-mode Checkout Session (`/_sandbox/checkout/sessions/{cs}/setup`), then the
Django rows bulk-inserted (SQLite in a temporary FIRMPAY_DATA_DIR, or DATABASE_URL): firms,
accounts, clients, customers, authorisations, open invoices each marked for collection
now. Timed: `autopay_sweep()` run twice (the second must charge nothing), then a third
sweep "after a crash" 10 minutes later. Counted from the sandbox: PaymentIntents per
invoice (double_charged = invoices with more than one) and the API requests Firmpay's SDK
made during the sweeps.

Prints progress, then JSON on the last line:
{"invoices", "charged", "double_charged", "api_calls_per_charge", "sweep_s", "peak_mb", ...}

    .venv/bin/python bench/autopay.py [--invoices 100000] [--firms 10000] [--setup-threads 8]
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


def sandbox_start(port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "stripe_sandbox",
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
    )
    for _ in range(200):
        try:
            control(f"http://127.0.0.1:{port}", "GET", "clock")
            return proc
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the sandbox did not start")


def one_firm(client, base: str, n: int) -> tuple[str, str, str]:
    """A verified account, a customer with a saved card: (account, customer, payment method)."""
    account = client.v1.accounts.create(
        params={
            "country": "US",
            "email": f"owner{n}@firm.example",
            "business_profile": {"name": f"Firm {n}"},
            "capabilities": {
                "card_payments": {"requested": True},
                "transfers": {"requested": True},
            },
        }
    ).id
    control(base, "POST", f"accounts/{account}/state", {"state": "verified"})
    options = {"stripe_account": account}
    customer = client.v1.customers.create(params={"name": f"Client {n}"}, options=options).id
    session = client.v1.checkout.sessions.create(
        params={
            "mode": "setup",
            "customer": customer,
            "currency": "usd",
            "allowed_payment_method_types": ["card"],
            "success_url": "http://127.0.0.1:9/ok",
            "cancel_url": "http://127.0.0.1:9/no",
        },
        options=options,
    ).id
    saved = control(base, "POST", f"checkout/sessions/{session}/setup", {"method": "card"})
    return account, customer, saved["payment_method"]["id"]


def django_setup(data_dir: str, base: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("FIRMPAY_DATA_DIR", data_dir)
    os.environ["STRIPE_API_BASE"] = base
    os.environ["STRIPE_SECRET_KEY"] = SANDBOX_KEY
    os.environ["STRIPE_CONNECT_CLIENT_ID"] = CLIENT_ID
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STRIPE_API_BASE = base
    settings.STRIPE_SECRET_KEY = SANDBOX_KEY
    settings.STRIPE_CONNECT_CLIENT_ID = CLIENT_ID
    call_command("migrate", verbosity=0)


def rows_create(stripe_rows: list[tuple[str, str, str]], invoices: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from firmpay.clients.models import Client
    from firmpay.invoices.models import Invoice
    from firmpay.payments.autopay.models import (
        AutopayAuthorisation,
        AutopayCustomer,
        InvoiceAutopay,
    )
    from firmpay.payments.models import PaymentAccount
    from firmpay.tenancy.models import Firm

    now = timezone.now()
    today = timezone.localdate()
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
        batch = []
        for n in range(invoices):
            i = n % len(firms)
            batch.append(
                Invoice(
                    firm=firms[i],
                    client=clients[i],
                    number=f"INV-{n:06d}",
                    currency="USD",
                    issue_date=today,
                    due_date=today + datetime.timedelta(days=14),
                    status="open",
                    subtotal=10000,
                    total=10000,
                    amount_due=10000,
                    sent_at=now,
                )
            )
        created = Invoice.objects.bulk_create(batch, batch_size=2000)
        InvoiceAutopay.objects.bulk_create(
            [
                InvoiceAutopay(firm_id=inv.firm_id, invoice=inv, next_attempt_at=now)
                for inv in created
            ],
            batch_size=2000,
        )


class CallCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.calls = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "Request to Stripe api" in record.getMessage():
            self.calls += 1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--firms", type=int, default=10_000)
    parser.add_argument("--setup-threads", type=int, default=8)
    args = parser.parse_args()
    firms = min(args.firms, args.invoices)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    sandbox = sandbox_start(port)
    try:
        with tempfile.TemporaryDirectory() as data_dir:
            import stripe

            client = stripe.StripeClient(
                SANDBOX_KEY, client_id=CLIENT_ID, base_addresses={"api": base, "connect": base}
            )
            started = time.monotonic()
            with concurrent.futures.ThreadPoolExecutor(args.setup_threads) as pool:
                stripe_rows = list(pool.map(lambda n: one_firm(client, base, n), range(firms)))
            print(f"sandbox setup: {firms} firms in {time.monotonic() - started:.1f}s", flush=True)
            django_setup(data_dir, base)
            rows_create(stripe_rows, args.invoices)
            print(
                f"rows: {args.invoices} invoices in {time.monotonic() - started:.1f}s", flush=True
            )
            result = sweep_and_count(base, stripe_rows)
    finally:
        sandbox.terminate()
        sandbox.wait(10)
    print(json.dumps({"invoices": args.invoices, **result}))


def sweep_and_count(base: str, stripe_rows) -> dict:
    from django.utils import timezone

    from firmpay.payments.autopay.charges import autopay_sweep
    from firmpay.payments.autopay.models import AutopayAttempt

    stripe_logger = logging.getLogger("stripe")
    stripe_logger.setLevel(logging.INFO)
    stripe_logger.propagate = False
    counter = CallCounter()
    stripe_logger.addHandler(counter)
    started = time.monotonic()
    if os.environ.get("BENCH_PROFILE"):
        import cProfile

        profile = cProfile.Profile()
        first = profile.runcall(autopay_sweep)
        profile.dump_stats(os.environ["BENCH_PROFILE"])
    else:
        first = autopay_sweep()
    sweep_s = time.monotonic() - started
    second = autopay_sweep()
    third = autopay_sweep(now=timezone.now() + datetime.timedelta(minutes=10))
    stripe_logger.removeHandler(counter)
    print(f"sweeps: first {first}, second {second}, third {third}", flush=True)
    per_invoice: dict[str, int] = {}
    import stripe

    client = stripe.StripeClient(SANDBOX_KEY, base_addresses={"api": base})
    for account in sorted({acct for acct, _, _ in stripe_rows}):
        for intent in client.v1.payment_intents.list(
            params={"limit": 100}, options={"stripe_account": account}
        ).auto_paging_iter():
            key = intent.metadata["firmpay_invoice_id"]
            per_invoice[key] = per_invoice.get(key, 0) + 1
    charged = AutopayAttempt.objects.filter(status="succeeded").count()
    return {
        "charged": charged,
        "double_charged": sum(1 for n in per_invoice.values() if n > 1),
        "payment_intents": sum(per_invoice.values()),
        "api_calls_per_charge": round(counter.calls / max(charged, 1), 3),
        "sweep_s": round(sweep_s, 2),
        "charges_per_s": round(charged / sweep_s, 1) if sweep_s else None,
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


if __name__ == "__main__":
    main()
