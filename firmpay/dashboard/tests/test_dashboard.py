"""The payments dashboard: what a firm sees about money invoiced, collected and owed."""

import datetime
import uuid
import zoneinfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from firmpay.clients.services import client_create
from firmpay.dashboard.selectors import dashboard_for_firm
from firmpay.invoices.services import invoice_record_manual_payment, invoice_send
from firmpay.invoices.tests.builders import invoice_build, line
from firmpay.payments.facts import DisputeClosed, Disputed, PaymentRef
from firmpay.payments.online.models import (
    DisputeStatus,
    OnlinePayment,
    OnlinePaymentStatus,
    PaymentDispute,
    PaymentRefund,
    RefundStatus,
)
from firmpay.payments.online.refund_facts import dispute_apply
from firmpay.payments.tests.online import connected_account
from firmpay.payouts.models import Payout
from firmpay.tenancy.tests.factories import client_for, make_firm, make_owner

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)


def _client(firm, currency="USD", name="Acme Ltd"):
    return client_create(
        firm=firm, name=name, email=f"ap-{uuid.uuid4().hex[:6]}@acme.test", currency=currency
    )


def _sent(firm, *, amount=10000, issued=TODAY, due=None, client=None, currency="USD"):
    client = client or _client(firm, currency)
    invoice = invoice_build(
        firm=firm,
        client=client,
        lines=[line(unit_amount=amount)],
        issue_date=issued,
        due_date=due or issued + datetime.timedelta(days=30),
    )
    invoice_send(invoice=invoice)
    invoice.refresh_from_db()
    return invoice


def _online(invoice, account, *, status, at, method="card", amount=None):
    return OnlinePayment.objects.create(
        firm=invoice.firm,
        invoice=invoice,
        account=account,
        stripe_account_id=account.stripe_account_id,
        amount=amount or invoice.total,
        currency=invoice.currency,
        method=method,
        status=status,
        succeeded_at=at if status == OnlinePaymentStatus.SUCCEEDED else None,
        failed_at=at if status == OnlinePaymentStatus.FAILED else None,
        processing_at=at if status == OnlinePaymentStatus.PROCESSING else None,
        failure_message="Insufficient funds" if status == OnlinePaymentStatus.FAILED else "",
        payment_intent_id=f"pi_{uuid.uuid4().hex[:16]}",
    )


def _bucket(dash, key):
    return next(b for b in dash.ageing if b.key == key)


def test_outstanding_invoices_fall_into_age_buckets_by_days_past_due():
    firm = make_firm()
    for days_past_due, amount in [
        (0, 100),
        (-5, 200),
        (1, 300),
        (30, 400),
        (31, 500),
        (60, 600),
        (61, 700),
        (90, 800),
        (91, 900),
        (400, 1000),
    ]:
        due = TODAY - datetime.timedelta(days=days_past_due)
        _sent(firm, amount=amount, issued=due - datetime.timedelta(days=30), due=due)

    dash = dashboard_for_firm(firm=firm, today=TODAY)

    assert _bucket(dash, "current").amount == 100 + 200
    assert _bucket(dash, "d1_30").amount == 300 + 400
    assert _bucket(dash, "d31_60").amount == 500 + 600
    assert _bucket(dash, "d61_90").amount == 700 + 800
    assert _bucket(dash, "d90_plus").amount == 900 + 1000
    assert _bucket(dash, "d90_plus").count == 2
    assert dash.outstanding == sum(range(100, 1001, 100))


def test_paid_void_and_draft_invoices_are_not_outstanding():
    firm = make_firm()
    paid = _sent(firm, amount=5000, due=TODAY - datetime.timedelta(days=10))
    invoice_record_manual_payment(
        invoice=paid, amount=5000, method="bank_transfer", received_on=TODAY
    )
    invoice_build(firm=firm, client=_client(firm), lines=[line(unit_amount=7000)])  # draft
    partly = _sent(firm, amount=8000, due=TODAY - datetime.timedelta(days=40))
    invoice_record_manual_payment(
        invoice=partly, amount=3000, method="bank_transfer", received_on=TODAY
    )

    dash = dashboard_for_firm(firm=firm, today=TODAY)

    assert dash.outstanding == 5000
    assert _bucket(dash, "d31_60").amount == 5000


def test_collected_counts_card_payments_in_the_firms_month_and_subtracts_refunds():
    firm = make_firm(tz="America/New_York")
    account = connected_account(firm)
    may = _sent(firm, amount=12000, issued=datetime.date(2026, 5, 20))
    june = _sent(firm, amount=30000, issued=datetime.date(2026, 6, 2))
    new_york = zoneinfo.ZoneInfo("America/New_York")
    # 31 May 22:30 in New York is already 1 June in UTC: it belongs to May for this firm.
    late_may = datetime.datetime(2026, 5, 31, 22, 30, tzinfo=new_york)
    paid = _online(may, account, status=OnlinePaymentStatus.SUCCEEDED, at=late_may)
    refund = PaymentRefund.objects.create(
        firm=firm, payment=paid, amount=2000, currency="USD", status=RefundStatus.SUCCEEDED
    )
    refunded_at = datetime.datetime(2026, 6, 12, 9, tzinfo=new_york)
    PaymentRefund.objects.filter(pk=refund.pk).update(created_at=refunded_at)
    invoice_record_manual_payment(
        invoice=june, amount=10000, method="bank_transfer", received_on=datetime.date(2026, 6, 3)
    )

    dash = dashboard_for_firm(firm=firm, today=TODAY)
    by_month = {m.month: m for m in dash.months}

    assert len(dash.months) == 12
    assert dash.months[-1].month == datetime.date(2026, 6, 1)
    assert by_month[datetime.date(2026, 5, 1)].invoiced == 12000
    assert by_month[datetime.date(2026, 5, 1)].collected == 12000
    assert by_month[datetime.date(2026, 6, 1)].invoiced == 30000
    # The refund was made in June: it comes off June's collections.
    assert by_month[datetime.date(2026, 6, 1)].collected == 10000 - 2000


def test_collected_is_net_of_disputes_lost_that_month_not_of_open_or_won_ones():
    firm = make_firm(tz="America/New_York")
    account = connected_account(firm)
    may_at = datetime.datetime(2026, 5, 5, 12, tzinfo=datetime.UTC)
    payments = [
        _online(
            _sent(firm, amount=amount, issued=datetime.date(2026, 5, 1)),
            account,
            status=OnlinePaymentStatus.SUCCEEDED,
            at=may_at,
        )
        for amount in (50000, 20000, 7000)
    ]
    lost, won, still_open = payments
    opened = datetime.datetime(2026, 5, 20, tzinfo=datetime.UTC)
    june_10 = datetime.datetime(2026, 6, 10, 15, tzinfo=datetime.UTC)
    for n, (payment, outcome) in enumerate(((lost, False), (won, True), (still_open, None))):
        ref = PaymentRef(account=account.stripe_account_id, intent=payment.payment_intent_id)
        common = {"dispute_id": f"dp_{n}_{uuid.uuid4().hex[:8]}", "currency": "USD"}
        amount = payment.amount
        dispute_apply(
            Disputed(ref=ref, at=opened, amount=amount, status="needs_response", **common)
        )
        if outcome is not None:
            status = "won" if outcome else "lost"
            dispute_apply(
                DisputeClosed(
                    ref=ref, at=june_10, amount=amount, status=status, won=outcome, **common
                )
            )

    by_month = {m.month: m for m in dashboard_for_firm(firm=firm, today=TODAY).months}

    # Collected in May as paid; the dispute lost on 10 June takes its 500.00 off June.
    assert by_month[datetime.date(2026, 5, 1)].collected == 77000
    assert by_month[datetime.date(2026, 6, 1)].collected == -50000


def test_days_sales_outstanding_is_receivables_over_invoiced_in_90_days():
    firm = make_firm()
    first = _sent(firm, amount=60000, issued=TODAY - datetime.timedelta(days=50))
    _sent(firm, amount=30000, issued=TODAY - datetime.timedelta(days=10))
    invoice_record_manual_payment(
        invoice=first, amount=60000, method="bank_transfer", received_on=TODAY
    )
    # Invoiced 90,000 in 90 days; 30,000 still owed: 30 days of sales outstanding.
    assert dashboard_for_firm(firm=firm, today=TODAY).dso_days == 30


def test_no_days_sales_outstanding_without_recent_invoices():
    firm = make_firm()
    assert dashboard_for_firm(firm=firm, today=TODAY).dso_days is None


def test_failed_debits_and_open_disputes_need_attention():
    firm = make_firm()
    account = connected_account(firm)
    bounced = _sent(firm, amount=15000, client=_client(firm, name="Bounced Bakery"))
    _online(
        bounced,
        account,
        status=OnlinePaymentStatus.FAILED,
        method="us_bank_account",
        at=datetime.datetime(2026, 6, 10, 12, tzinfo=datetime.UTC),
    )
    disputed = _sent(firm, amount=9000)
    payment = _online(
        disputed,
        account,
        status=OnlinePaymentStatus.DISPUTED,
        at=datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC),
    )
    PaymentDispute.objects.create(
        firm=firm,
        payment=payment,
        stripe_dispute_id=f"dp_{uuid.uuid4().hex[:12]}",
        amount=9000,
        currency="USD",
        status=DisputeStatus.OPEN,
        reason="fraudulent",
    )
    on_its_way = _sent(firm, amount=4000)
    _online(
        on_its_way,
        account,
        status=OnlinePaymentStatus.PROCESSING,
        method="us_bank_account",
        at=datetime.datetime(2026, 6, 14, tzinfo=datetime.UTC),
    )

    dash = dashboard_for_firm(firm=firm, today=TODAY)

    assert [p.invoice.client.name for p in dash.attention.failed_debits] == ["Bounced Bakery"]
    assert [d.reason for d in dash.attention.open_disputes] == ["fraudulent"]
    assert dash.on_its_way == 4000


def test_payouts_not_yet_in_the_bank_are_expected():
    firm = make_firm()
    account = connected_account(firm)
    for n, (status, amount) in enumerate(
        [("pending", 1000), ("in_transit", 2000), ("paid", 4000), ("failed", 8000)]
    ):
        Payout.objects.create(
            firm=firm,
            account=account,
            stripe_account_id=account.stripe_account_id,
            stripe_payout_id=f"po_{n}_{uuid.uuid4().hex[:8]}",
            amount=amount,
            currency="USD",
            status=status,
        )
    assert dashboard_for_firm(firm=firm, today=TODAY).expected_payouts == 3000


def test_another_firms_invoices_never_count():
    firm, other = make_firm(), make_firm()
    _sent(firm, amount=1000)
    _sent(other, amount=999999)
    dash = dashboard_for_firm(firm=firm, today=TODAY)
    assert dash.outstanding == 1000
    assert dash.months[-1].invoiced == 1000


def test_each_currency_is_shown_on_its_own():
    firm = make_firm(currency="GBP")
    _sent(firm, amount=1000, currency="GBP")
    _sent(firm, amount=5000, currency="USD")

    gbp = dashboard_for_firm(firm=firm, today=TODAY)
    usd = dashboard_for_firm(firm=firm, currency="USD", today=TODAY)

    assert gbp.currencies == ["GBP", "USD"]
    assert (gbp.currency, gbp.outstanding) == ("GBP", 1000)
    assert (usd.currency, usd.outstanding) == ("USD", 5000)
    assert dashboard_for_firm(firm=firm, currency="XYZ", today=TODAY).currency == "GBP"


def _page_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/dashboard/")
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_dashboard_page_shows_charts_with_their_tables_and_costs_the_same_queries_at_any_size():
    owner = make_owner()
    client = client_for(owner, owner.firm)
    _sent(owner.firm, amount=2500, due=TODAY)
    _page_queries(client)  # the first request of a session costs a few more
    few, _ = _page_queries(client)
    for days in range(1, 40):
        _sent(owner.firm, amount=1000 + days, issued=TODAY - datetime.timedelta(days=days))

    many, page = _page_queries(client)

    assert many == few
    assert "Collected against invoiced, by month" in page
    assert 'id="months-table"' in page and 'id="ageing-table"' in page
    assert "<svg" in page and "<rect" in page
    assert "Days sales outstanding" in page
    assert "style=" not in page  # the CSP forbids inline styles


def test_dashboard_needs_a_login():
    response = Client().get("/dashboard/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]
