"""Run inside the app's environment by scripts/scale_test.py (`python scripts/scale/app_setup.py`,
DJANGO_SETTINGS_MODULE=config.settings): firms on a paid plan, each connecting a Stripe
account through Firmpay's own service, made verified in the sandbox; a client each; sent
invoices. Prints JSON on the last line."""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from firmpay.clients.services import client_create  # noqa: E402
from firmpay.invoices.links import invoice_link_path  # noqa: E402
from firmpay.invoices.services import invoice_send  # noqa: E402
from firmpay.invoices.tests.builders import invoice_build, line  # noqa: E402
from firmpay.payments.exceptions import StripeUnavailable  # noqa: E402
from firmpay.payments.services import payment_account_create  # noqa: E402
from firmpay.tenancy.models import Firm  # noqa: E402


def control(base: str, path: str, body: dict) -> dict:
    request = urllib.request.Request(  # noqa: S310 - loopback sandbox
        f"{base}/_sandbox/{path}",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
        return json.loads(response.read() or b"{}")


def connect(firm, base: str, retries: list[int]):
    for attempt in range(8):
        try:
            return payment_account_create(firm=firm, actor=None)
        except StripeUnavailable:  # an injected 500/429 outlasted the SDK's own retries
            retries.append(attempt)
            time.sleep(0.3 * (attempt + 1))
    raise SystemExit(f"could not create an account for {firm} after 8 tries")


def main() -> None:
    firms, invoices = int(sys.argv[1]), int(sys.argv[2])
    base = os.environ["STRIPE_API_BASE"]
    retries: list[int] = []
    made = []
    for i in range(firms):
        firm = Firm.objects.create(
            name=f"Scale firm {i}", plan="standard", email=f"scale{i}@firm.test"
        )
        account = connect(firm, base, retries)
        control(base, f"accounts/{account.stripe_account_id}/state", {"state": "verified"})
        client = client_create(
            firm=firm, name=f"Client {i}", email=f"client{i}@scale.test", currency="USD"
        )
        made.append((firm, client, account.stripe_account_id))
    rows = []
    for n in range(invoices):
        firm, client, acct = made[n % len(made)]
        invoice = invoice_build(firm=firm, client=client, lines=[line(unit_amount=5000 + n)])
        invoice_send(invoice=invoice)
        rows.append(
            {
                "id": invoice.pk,
                "path": invoice_link_path(invoice),
                "account": acct,
                "total": invoice.total,
            }
        )
    print(
        json.dumps(
            {
                "accounts": [acct for _, _, acct in made],
                "invoices": rows,
                "create_retries": len(retries),
            }
        )
    )


if __name__ == "__main__":
    main()
