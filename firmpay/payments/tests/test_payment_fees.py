"""Each payment says what it cost and left the firm: gross, Stripe's fee, Firmpay's fee and
net, on the invoice's payment lines and on the payments list. Stripe's fee is "pending"
until a payout has listed the payment's balance transaction (never $0.00), and so is net."""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from firmpay.payments.online.models import OnlinePayment
from firmpay.payments.tests.online import connected_account, pending_payment, sent_invoice
from firmpay.payouts.models import ItemKind, Payout, PayoutItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_client(owner):
    client = Client()
    client.force_login(owner)
    return client


@pytest.fixture
def payment(firm):
    """$100.00 received by card; Firmpay's 0.75% is $0.75; no payout has listed it yet."""
    payment = pending_payment(sent_invoice(firm, amount=10000), connected_account(firm))
    OnlinePayment.objects.filter(pk=payment.pk).update(
        status="succeeded", succeeded_at=timezone.now(), method="card", application_fee_amount=75
    )
    return payment


def paid_out(payment, stripe_fee: int) -> None:
    payout = Payout.objects.create(
        firm=payment.firm,
        account=payment.account,
        stripe_account_id=payment.stripe_account_id,
        stripe_payout_id=f"po_{uuid.uuid4().hex[:16]}",
        amount=payment.amount - stripe_fee - 75,
        currency=payment.currency,
        status="paid",
    )
    PayoutItem.objects.create(
        payout=payout,
        firm=payment.firm,
        stripe_balance_transaction_id=f"txn_{uuid.uuid4().hex[:16]}",
        stripe_type="charge",
        kind=ItemKind.PAYMENT,
        amount=payment.amount,
        stripe_fee=stripe_fee,
        firmpay_fee=75,
        net=payment.amount - stripe_fee - 75,
        online_payment=payment,
    )


def fee_lines(page: str, payment) -> dict[str, str]:
    block = re.search(
        rf'<dl class="facts payment-fees" id="payment-fees-{payment.pk}">(.*?)</dl>', page, re.S
    )
    assert block, "the payment shows no fees"
    pairs = re.findall(r"<dt>(.*?)</dt><dd[^>]*>(.*?)</dd>", block.group(1), re.S)
    return {dt: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", dd)).strip() for dt, dd in pairs}


def list_cells(page: str, payment) -> list[str]:
    row = re.search(rf'<tr data-payment="{payment.pk}">(.*?)</tr>', page, re.S).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", c)).strip() for c in cells][-3:]


def test_the_invoice_shows_the_payments_fees_pending_then_known(owner_client, payment):
    detail = reverse("invoices:detail", args=[payment.invoice_id])
    assert fee_lines(owner_client.get(detail).content.decode(), payment) == {
        "Gross": "$100.00",
        "Stripe fee": "pending (known once Stripe pays the payment out)",
        "Firmpay fee": "$0.75",
        "Net": "pending",
    }
    paid_out(payment, 320)
    assert fee_lines(owner_client.get(detail).content.decode(), payment) == {
        "Gross": "$100.00",
        "Stripe fee": "$3.20",
        "Firmpay fee": "$0.75",
        "Net": "$96.05",
    }


def test_the_payments_list_says_pending_not_a_dash_or_zero(owner_client, payment):
    listing = owner_client.get(reverse("online_payments:list")).content.decode()
    assert list_cells(listing, payment) == ["pending", "$0.75", "pending"]
    paid_out(payment, 320)
    listing = owner_client.get(reverse("online_payments:list")).content.decode()
    assert list_cells(listing, payment) == ["$3.20", "$0.75", "$96.05"]


def test_a_debit_still_processing_has_its_firmpay_fee_and_a_pending_stripe_fee(
    owner_client, payment
):
    OnlinePayment.objects.filter(pk=payment.pk).update(status="processing", succeeded_at=None)
    listing = owner_client.get(reverse("online_payments:list")).content.decode()
    assert list_cells(listing, payment) == ["pending", "$0.75", "pending"]


def test_a_failed_attempt_took_no_money_and_shows_no_fees(owner_client, payment):
    OnlinePayment.objects.filter(pk=payment.pk).update(
        status="failed", succeeded_at=None, failed_at=timezone.now()
    )
    listing = owner_client.get(reverse("online_payments:list")).content.decode()
    assert list_cells(listing, payment) == ["—", "—", "—"]
    detail = owner_client.get(reverse("invoices:detail", args=[payment.invoice_id]))
    assert f'id="payment-fees-{payment.pk}"' not in detail.content.decode()
