"""The Stripe card says what online payments cost the firm: gross, Stripe's fee, Firmpay's
fee and net for this month so far and last month, from the payments' stored figures; a
Stripe fee not known yet (no payout has listed its balance transaction) is "pending", never
$0.00, and so is the month's net."""

from __future__ import annotations

import datetime
import re
import uuid

import pytest
from django.utils import timezone

from firmpay.integrations.fees import firm_month_fees
from firmpay.payments.online.models import OnlinePayment
from firmpay.payments.tests.online import connected_account, pending_payment, sent_invoice
from firmpay.payouts.models import ItemKind, Payout, PayoutItem

pytestmark = pytest.mark.django_db

INDEX = "/settings/integrations/"


def received(firm, amount, *, at, stripe_fee=None, firmpay_fee=None, status="succeeded"):
    """A payment of `amount` received `at`; `stripe_fee` set when a payout has listed it."""
    account = firm._acct = getattr(firm, "_acct", None) or connected_account(firm)
    payment = pending_payment(sent_invoice(firm, amount=amount), account)
    OnlinePayment.objects.filter(pk=payment.pk).update(
        status=status,
        succeeded_at=at if status != "failed" else None,
        failed_at=at if status == "failed" else None,
        application_fee_amount=(amount * 75 + 5000) // 10000
        if firmpay_fee is None
        else firmpay_fee,
    )
    if stripe_fee is not None:
        payout = Payout.objects.create(
            firm=firm,
            account=account,
            stripe_account_id=account.stripe_account_id,
            stripe_payout_id=f"po_{uuid.uuid4().hex[:16]}",
            amount=amount - stripe_fee,
            currency=payment.currency,
            status="paid",
        )
        PayoutItem.objects.create(
            payout=payout,
            firm=firm,
            stripe_balance_transaction_id=f"txn_{uuid.uuid4().hex[:16]}",
            stripe_type="charge",
            kind=ItemKind.PAYMENT,
            amount=amount,
            stripe_fee=stripe_fee,
            firmpay_fee=(amount * 75 + 5000) // 10000,
            net=amount - stripe_fee,
            online_payment=payment,
        )
    return payment


def fees_section(page: str) -> str:
    match = re.search(r'<section class="stripe-fees".*?</section>', page, re.S)
    assert match, "the card has no fees section"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(0)))


def row(section_html: str, name: str) -> str:
    match = re.search(rf'<tr data-row="{name}">(.*?)</tr>', section_html, re.S)
    assert match
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


def cells(section_html: str, name: str) -> list[str]:
    match = re.search(rf'<tr data-row="{name}">(.*?)</tr>', section_html, re.S)
    found = re.findall(r"<td[^>]*>(.*?)</td>", match.group(1), re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip() for cell in found]


def test_the_card_shows_gross_both_fees_and_net_this_month_and_last(firm, owner_client):
    now = timezone.now()
    last_month = now.replace(day=1) - datetime.timedelta(days=2)
    received(firm, 10000, at=now, stripe_fee=320)  # Firmpay 0.75%: $0.75
    received(firm, 5000, at=now)  # Stripe's fee not known yet; Firmpay $0.38
    received(firm, 20000, at=last_month, stripe_fee=610)  # Firmpay $1.50
    received(firm, 99900, at=now, status="failed")  # took no money: not counted

    page = owner_client.get(INDEX).content.decode()
    section = re.search(r'<section class="stripe-fees".*?</section>', page, re.S).group(0)
    text = fees_section(page)
    assert f"{now:%B %Y} so far" in text and f"{last_month:%B %Y}" in text
    assert row(section, "gross") == "Gross (what clients paid) $150.00 $200.00"
    assert row(section, "stripe-fee") == "Stripe's fees $3.20 + pending on 1 payment $6.10"
    assert row(section, "firmpay-fee") == "Firmpay's fees $1.13 $1.50"
    # This month's net waits for the pending fee (and says what is known); last month's is
    # $200.00 − $6.10 − $1.50.
    net = row(section, "net")
    assert net.startswith("Net (gross less both fees) pending ($145.67 before the pending")
    assert net.endswith("$192.40")
    assert "Firmpay's fee on your plan: 0.75% of each online payment" in text


def test_a_pending_stripe_fee_is_never_shown_as_zero(firm, owner_client):
    received(firm, 10000, at=timezone.now())
    page = owner_client.get(INDEX).content.decode()
    section = re.search(r'<section class="stripe-fees".*?</section>', page, re.S).group(0)
    this_month_fee = cells(section, "stripe-fee")[0]
    this_month_net = cells(section, "net")[0]
    assert this_month_fee == "pending on 1 payment"
    assert this_month_net == "pending ($99.25 before the pending Stripe fees)"


def test_staff_see_the_fees_too_and_other_firms_payments_never_count(firm, make_firm, staff_client):
    received(firm, 10000, at=timezone.now(), stripe_fee=320)
    received(make_firm(), 70000, at=timezone.now(), stripe_fee=2060)
    section = re.search(
        r'<section class="stripe-fees".*?</section>', staff_client.get(INDEX).content.decode(), re.S
    ).group(0)
    assert row(section, "gross").startswith("Gross (what clients paid) $100.00")
    assert "$700.00" not in section and "$20.60" not in section


def test_no_fees_section_before_any_payment(owner_client):
    assert 'id="stripe-fees"' not in owner_client.get(INDEX).content.decode()


def test_months_follow_the_firms_calendar(firm):
    firm.timezone = "America/New_York"
    firm.save()
    # 03:00 UTC on 1 December is still 30 November in New York.
    at = datetime.datetime(2026, 12, 1, 3, 0, tzinfo=datetime.UTC)
    received(firm, 10000, at=at, stripe_fee=320)
    received(firm, 4000, at=at + datetime.timedelta(hours=6), stripe_fee=146)
    (usd,) = firm_month_fees(firm=firm, now=datetime.datetime(2026, 12, 3, tzinfo=datetime.UTC))
    december, november = usd.months
    assert (december.label, december.gross, december.stripe_fee, december.firmpay_fee) == (
        "December 2026 so far",
        4000,
        146,
        30,
    )
    assert december.net == 4000 - 146 - 30
    assert (november.label, november.gross, november.net) == ("November 2026", 10000, 9605)


def test_each_currency_has_its_own_figures(firm):
    now = timezone.now()
    received(firm, 10000, at=now, stripe_fee=320)
    account = firm._acct
    gbp = pending_payment(sent_invoice(firm, amount=8000, currency="GBP"), account)
    OnlinePayment.objects.filter(pk=gbp.pk).update(
        status="succeeded", succeeded_at=now, application_fee_amount=60
    )
    by_currency = {c.currency: c.months[0] for c in firm_month_fees(firm=firm)}
    assert by_currency["USD"].gross == 10000 and by_currency["USD"].net == 9605
    assert by_currency["GBP"].gross == 8000 and by_currency["GBP"].net is None
    assert by_currency["GBP"].stripe_pending == 1
