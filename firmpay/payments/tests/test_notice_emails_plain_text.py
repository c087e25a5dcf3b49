"""Payment emails are plain text: names reach the reader as typed, not HTML-escaped
("Demo & Co Accountants", never "Demo &amp; Co Accountants")."""

from pathlib import Path
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string

TEMPLATES = sorted(
    path.name
    for path in (Path(__file__).resolve().parents[1] / "templates" / "payments" / "email").glob(
        "*.txt"
    )
)


@pytest.mark.parametrize("name", TEMPLATES)
def test_names_with_ampersands_and_brackets_are_not_html_escaped(name):
    firm = SimpleNamespace(name="Smith & Jones <CPA>", email="billing@smith.test")
    client = SimpleNamespace(name="O'Brien & Daughters", email="ap@obrien.test")
    invoice = SimpleNamespace(number="INV-0001", amount_due=100, client=client, firm=firm)
    body = render_to_string(
        f"payments/email/{name}",
        {
            "firm": firm,
            "client": client,
            "invoice": invoice,
            "payment": SimpleNamespace(amount=100, currency="usd"),
            "amount": "$1.00",
            "amount_due": "$1.00",
            "link": "http://127.0.0.1/i/x/",
            "method": "Card",
            "business_days": 4,
            "refund": None,
            "refund_amount": "",
            "dispute": None,
        },
    )
    assert "&amp;" not in body and "&lt;" not in body and "&#x27;" not in body
    assert "Smith & Jones <CPA>" in body or "O'Brien & Daughters" in body
