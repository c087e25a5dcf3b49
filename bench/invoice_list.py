"""Invoice list page at 1,000 and 100,000 invoices in one firm, on the embedded default.

Seeds a throwaway SQLite database (WAL, IMMEDIATE, as `make run` uses) under a temporary
FIRMPAY_DATA_DIR with a bulk executemany after `migrate`, then requests the list page
through Django's test Client (every middleware, the session, the template) and records
server time and query count for the first page and a filtered page (status=open).

    .venv/bin/python bench/invoice_list.py [--requests 200]

The last line of output is JSON: p50_ms, p95_ms (over the first and filtered pages at
100,000 invoices), cpu_p50_ms and cpu_p95_ms (this process's CPU time per request over the
same pages: steadier than wall time on a shared machine), no_match_p95_ms and search_p95_ms (at 100,000), queries_1k and
queries_100k (the most queries any page took), and the details per page.
"""

import argparse
import datetime
import json
import os
import random
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STATUSES = ["draft", "open", "open", "partially_paid", "paid", "paid", "paid", "void"]
PAGES = {"first": {}, "filtered": {"status": "open"}}
# Reported beside the headline: a client's invoices, overdue ones, an invoice number, a
# search by client name, and one that matches nothing (through the number search index
# and the firm's clients, not a scan of the firm's invoices).
EXTRA_PAGES = {
    "overdue": {"status": "overdue"},
    "number": {"q": "INV-0999"},
    "search": {"q": "client 00"},
    "no_match": {"q": "nobody by this name"},
}


def setup_django(data_dir: str) -> None:
    os.environ["FIRMPAY_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    os.environ["DEBUG"] = "false"
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed_firm():
    from firmpay.clients.models import Client
    from firmpay.tenancy.models import Firm, Membership, Role, User

    firm = Firm.objects.create(name="Bench & Co", timezone="America/New_York", plan="standard")
    user = User.objects.create_user("bench@firmpay.test", "bench-password-2026")
    Membership.objects.create(user=user, firm=firm, role=Role.OWNER)
    Client.objects.bulk_create(
        Client(firm=firm, name=f"Client {n:03d}", email=f"c{n}@bench.test") for n in range(200)
    )
    client_ids = list(Client.objects.filter(firm=firm).values_list("id", flat=True))
    return firm, user, client_ids


def seed_invoices(*, firm, client_ids, start: int, stop: int, rng: random.Random) -> None:
    """Rows straight into the table: what invoice_create would store, minus the lines.
    Columns this bench does not set (added by later issues) get their model default."""
    from django.db import connection, transaction

    from firmpay.invoices.models import Invoice

    fields = [field for field in Invoice._meta.concrete_fields if not field.primary_key]
    defaults = {
        field.attname: field.get_db_prep_save(field.get_default(), connection) for field in fields
    }
    now = datetime.datetime.now(datetime.UTC).isoformat(sep=" ")
    today = datetime.date.today()
    rows = []
    for n in range(start + 1, stop + 1):
        status = rng.choice(STATUSES)
        issued = today - datetime.timedelta(days=rng.randrange(0, 720))
        total = rng.randrange(5_000, 500_000)
        paid = {"paid": total, "partially_paid": total // 3}.get(status, 0)
        values = defaults | {
            "firm_id": firm.pk,
            "created_at": now,
            "updated_at": now,
            "client_id": rng.choice(client_ids),
            "number": f"INV-{n:04d}",
            "currency": "USD",
            "issue_date": issued.isoformat(),
            "due_date": (issued + datetime.timedelta(days=30)).isoformat(),
            "status": status,
            "subtotal": total,
            "tax_total": 0,
            "total": total,
            "amount_paid": paid,
            "amount_due": total - paid,
            "sent_at": None if status == "draft" else now,
            "voided_at": now if status == "void" else None,
            "link_token": secrets.token_urlsafe(24),
        }
        rows.append(tuple(values[field.attname] for field in fields))
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO invoices_invoice ({columns}) VALUES ({placeholders})"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, rows)
        cursor.execute("ANALYZE")


def measure(http, params: dict, requests: int) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    http.get("/invoices/", params)  # warm: once-per-user rows (presence...) are made here
    with CaptureQueriesContext(connection) as captured:
        response = http.get("/invoices/", params)
    # Read now: the next request resets the connection's query log.
    queries = len(captured.captured_queries)
    assert response.status_code == 200, response.status_code
    assert b'id="invoice-table"' in response.content
    timings, cpu = [], []
    for _ in range(requests):
        started, cpu_started = time.perf_counter(), time.process_time()
        response = http.get("/invoices/", params)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
        assert response.status_code == 200
    return timings, cpu, queries


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return round(ordered[index], 2)


def run_size(http, pages: dict, requests: int) -> dict:
    results = {}
    for name, params in pages.items():
        timings, cpu, queries = measure(http, params, requests)
        results[name] = {
            "p50_ms": percentile(timings, 50),
            "p95_ms": percentile(timings, 95),
            # CPU time of this process per request: steadier than wall time on a busy machine.
            "cpu_p50_ms": percentile(cpu, 50),
            "cpu_p95_ms": percentile(cpu, 95),
            "queries": queries,
            "timings": timings,
            "cpu": cpu,
        }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--size", type=int, default=100_000)
    args = parser.parse_args()
    rng = random.Random(2026)
    with tempfile.TemporaryDirectory(prefix="firmpay-bench-") as data_dir:
        setup_django(data_dir)
        from django.test import Client

        firm, user, client_ids = seed_firm()
        http = Client()
        http.force_login(user)
        pages = {**PAGES, "client": {"client": client_ids[7]}, **EXTRA_PAGES}

        started = time.perf_counter()
        seed_invoices(firm=firm, client_ids=client_ids, start=0, stop=1_000, rng=rng)
        small = run_size(http, pages, max(20, args.requests // 4))
        seed_invoices(firm=firm, client_ids=client_ids, start=1_000, stop=args.size, rng=rng)
        seed_seconds = round(time.perf_counter() - started, 2)
        large = run_size(http, pages, args.requests)

    headline = large["first"]["timings"] + large["filtered"]["timings"]
    headline_cpu = large["first"]["cpu"] + large["filtered"]["cpu"]
    for results in (small, large):
        for page in results.values():
            page.pop("timings")
            page.pop("cpu")
    for size, results in (("1k", small), (f"{args.size // 1000}k", large)):
        for name, page in results.items():
            print(
                f"{size:>5} {name:<9} p50 {page['p50_ms']:7.2f} ms  p95 {page['p95_ms']:7.2f} ms"
                f"  CPU p50 {page['cpu_p50_ms']:6.2f} ms  queries {page['queries']}"
            )
    print(
        json.dumps(
            {
                "p50_ms": percentile(headline, 50),
                "p95_ms": percentile(headline, 95),
                "cpu_p50_ms": percentile(headline_cpu, 50),
                "cpu_p95_ms": percentile(headline_cpu, 95),
                "no_match_cpu_p95_ms": large["no_match"]["cpu_p95_ms"],
                "no_match_p95_ms": large["no_match"]["p95_ms"],
                "search_p95_ms": large["search"]["p95_ms"],
                "queries_1k": max(page["queries"] for page in small.values()),
                "queries_100k": max(page["queries"] for page in large.values()),
                "invoices": args.size,
                "requests_per_page": args.requests,
                "seconds_seeding_and_warmup": seed_seconds,
                "pages_1k": small,
                "pages_100k": large,
            }
        )
    )


if __name__ == "__main__":
    main()
