"""Client links (`/i/<signed token>/`): unguessable, tamper-evident, revocable."""

import math
import re
from collections import Counter

import pytest
from django.test import Client

from firmpay.clients.services import client_create
from firmpay.invoices.links import invoice_link_path
from firmpay.invoices.models import new_link_token
from firmpay.invoices.services import invoice_send
from firmpay.invoices.tests.builders import invoice_build
from firmpay.tenancy.tests.factories import client_for, make_firm, make_owner


def test_tokens_carry_at_least_256_bits_from_the_os_generator():
    tokens = [new_link_token() for _ in range(2000)]
    assert len(set(tokens)) == len(tokens)
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{43}", t) for t in tokens)  # 32 bytes, base64url
    # Every position is spread over the whole 64-symbol alphabet: no fixed prefix or counter.
    counts = Counter(ch for t in tokens for ch in t[:42])
    assert len(counts) == 64
    entropy = -sum(
        n / sum(counts.values()) * math.log2(n / sum(counts.values())) for n in counts.values()
    )
    assert entropy > 5.9  # bits per symbol; ideal 6


@pytest.fixture
def sent_invoice(db):
    firm = make_firm(plan="pro")
    owner = make_owner(firm)
    customer = client_create(firm=firm, name="Dana", email="dana@example.test", currency="USD")
    invoice = invoice_build(firm=firm, client=customer)
    invoice_send(invoice=invoice)
    return invoice, client_for(owner, firm)


def test_a_tampered_or_guessed_link_is_a_404(sent_invoice):
    invoice, _ = sent_invoice
    path = invoice_link_path(invoice)
    assert Client().get(path).status_code == 200
    token, signature = path.strip("/").split("/")[1].rsplit(":", 1)
    assert Client().get(f"/i/{token}:{signature[:-1]}x/").status_code == 404
    assert Client().get(f"/i/{new_link_token()}:{signature}/").status_code == 404
    assert Client().get(f"/i/{token}/").status_code == 404


def test_revoking_kills_the_old_link_and_makes_a_new_one(sent_invoice):
    invoice, firm_client = sent_invoice
    old = invoice_link_path(invoice)
    assert firm_client.post(f"/invoices/{invoice.pk}/link/revoke/").status_code in (302, 303)
    invoice.refresh_from_db()
    assert Client().get(old).status_code == 404
    assert Client().post(old + "pay/").status_code == 404
    new = invoice_link_path(invoice)
    assert new != old and Client().get(new).status_code == 200
