"""Payments dashboard at 100,000 invoices in one firm, on the embedded default.

Seeds a throwaway SQLite database the way bench/invoice_list.py does (invoices straight
into the table), adds an online payment for every paid or partly paid invoice (some of
them failed or processing bank debits), then requests /dashboard/ through Django's test
Client (every middleware, the session, the template) and records server time and queries.

    .venv/bin/python bench/dashboard.py [--requests 100] [--size 100000]

The last line of output is JSON: {"invoices": N, "p95_ms": x, ...}; p95_cpu_ms is the
page's CPU time in this process, steadier than wall time on a busy machine.
"""

import argparse
import datetime
import json
import random
import tempfile
import time

from invoice_list import percentile, seed_firm, seed_invoices, setup_django


def seed_payments(*, firm, rng: random.Random) -> int:
    """One online payment per invoice that has money paid, dated a few days after issue."""
    from django.utils import timezone

    from firmpay.invoices.models import Invoice
    from firmpay.payments.models import PaymentAccount
    from firmpay.payments.online.models import OnlinePayment

    account = PaymentAccount.objects.create(
        firm=firm, stripe_account_id="acct_bench", created_via="platform", status="active"
    )
    payments = []
    rows = Invoice.objects.filter(firm=firm, amount_paid__gt=0).values_list(
        "id", "amount_paid", "issue_date"
    )
    for invoice_id, paid, issued in rows.iterator():
        at = timezone.make_aware(
            datetime.datetime.combine(issued, datetime.time(12))
            + datetime.timedelta(days=rng.randrange(0, 40))
        )
        status = rng.choices(["succeeded", "failed", "processing"], [96, 2, 2])[0]
        payments.append(
            OnlinePayment(
                firm=firm,
                invoice_id=invoice_id,
                account=account,
                stripe_account_id="acct_bench",
                amount=paid,
                currency="USD",
                method="card" if status == "succeeded" else "us_bank_account",
                status=status,
                succeeded_at=at if status == "succeeded" else None,
                failed_at=at if status == "failed" else None,
                processing_at=at if status == "processing" else None,
            )
        )
    OnlinePayment.objects.bulk_create(payments, batch_size=2000)
    return len(payments)


def measure(http, requests: int) -> tuple[list[float], list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    http.get("/dashboard/")  # warm
    with CaptureQueriesContext(connection) as captured:
        response = http.get("/dashboard/")
    queries = len(captured.captured_queries)
    assert response.status_code == 200, response.status_code
    assert b'id="ageing-table"' in response.content
    # Wall time, and this process's CPU time (the test client and SQLite both run in it):
    # on a shared, busy machine the CPU figure is what the page itself costs.
    timings, cpu = [], []
    for _ in range(requests):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = http.get("/dashboard/")
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200
    return timings, cpu, queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100, help="timed requests")
    parser.add_argument("--size", type=int, default=100_000)
    args = parser.parse_args()
    rng = random.Random(2026)
    with tempfile.TemporaryDirectory(prefix="firmpay-bench-") as data_dir:
        setup_django(data_dir)
        from django.db import connection
        from django.test import Client

        firm, user, client_ids = seed_firm()
        http = Client()
        http.force_login(user)
        seed_invoices(firm=firm, client_ids=client_ids, start=0, stop=1_000, rng=rng)
        small, _cpu_1k, queries_1k = measure(http, max(10, args.requests // 4))
        seed_invoices(firm=firm, client_ids=client_ids, start=1_000, stop=args.size, rng=rng)
        payments = seed_payments(firm=firm, rng=rng)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        timings, cpu, queries = measure(http, args.requests)

    print(
        f"1k p95 {percentile(small, 95):.2f} ms; {args.size // 1000}k p50 "
        f"{percentile(timings, 50):.2f} ms p95 {percentile(timings, 95):.2f} ms; "
        f"queries {queries_1k} / {queries}; {payments} payments"
    )
    print(
        json.dumps(
            {
                "invoices": args.size,
                "p95_ms": percentile(timings, 95),
                "p50_ms": percentile(timings, 50),
                "p95_cpu_ms": percentile(cpu, 95),
                "p95_ms_1k": percentile(small, 95),
                "queries_1k": queries_1k,
                "queries": queries,
                "payments": payments,
                "requests": args.requests,
            }
        )
    )


if __name__ == "__main__":
    main()
