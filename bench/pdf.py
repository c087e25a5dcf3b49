"""A PDF of a 200-line invoice: how long WeasyPrint takes to render it (target < 2 s).

Migrates a throwaway SQLite database under a temporary FIRMPAY_DATA_DIR, creates a firm
(with branding and a logo), a client and a sent invoice of --lines lines through the
services, then renders the invoice PDF (`firmpay.documents.documents.invoice_pdf`, as the
download and the invoice email do) --runs times after one warm-up render (fonts loaded).

    .venv/bin/python bench/pdf.py [--lines 200] [--runs 5]

The last line of output is JSON: {"lines": 200, "render_s": <median wall-clock seconds>,
"max_s", "cpu_s" (median CPU seconds of this process), "first_s", "pages", "bytes"}.
"""

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(data_dir: str) -> None:
    os.environ["FIRMPAY_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    os.environ["DEBUG"] = "false"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def logo_png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (600, 200), (31, 78, 140)).save(out, format="PNG")
    return out.getvalue()


def invoice_with(lines: int):
    from firmpay.clients.services import client_create
    from firmpay.documents.services import branding_update
    from firmpay.invoices.services import invoice_create
    from firmpay.invoices.totals import LineInput
    from firmpay.tenancy.models import Firm

    firm = Firm.objects.create(name="Bench & Co", bank_details="Bench Bank 00012345")
    branding_update(
        firm=firm,
        address="1 Ledger Lane\nSpringfield",
        tax_details="EIN 12-3456789",
        accent_colour="#1f4e8c",
        locale="en_US",
        logo=logo_png(),
    )
    client = client_create(firm=firm, name="Acme Ltd", email="ap@acme.test")
    rows = [
        LineInput(
            description=f"Line {n}: bookkeeping for entity {n % 17}, month {n % 12 + 1}",
            quantity=Decimal(n % 5 + 1),
            unit_amount=1000 + n * 37,
            tax_rate=Decimal("8.875") if n % 3 == 0 else Decimal(0),
        )
        for n in range(lines)
    ]
    return invoice_create(firm=firm, client=client, lines=rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="firmpay-bench-pdf-") as data_dir:
        setup_django(data_dir)
        from pypdf import PdfReader

        from firmpay.documents.documents import invoice_pdf

        invoice = invoice_with(args.lines)
        started = time.perf_counter()
        pdf = invoice_pdf(invoice=invoice)
        first = time.perf_counter() - started
        times, cpu = [], []
        for _ in range(args.runs):
            started, started_cpu = time.perf_counter(), time.process_time()
            pdf = invoice_pdf(invoice=invoice)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        print(f"first render {first:.3f} s; then {', '.join(f'{t:.3f}' for t in times)} s")
        result = {
            "lines": args.lines,
            "render_s": round(statistics.median(times), 3),
            "max_s": round(max(times), 3),
            # CPU time of this process: what the render costs when the machine is shared.
            "cpu_s": round(statistics.median(cpu), 3),
            "first_s": round(first, 3),
            "pages": pages,
            "bytes": len(pdf),
        }
        print(json.dumps(result))


if __name__ == "__main__":
    main()
