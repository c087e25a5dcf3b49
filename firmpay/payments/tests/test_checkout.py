"""Starting payments and the pages around them. Stripe's answers come from a stand-in for
the adapter (firmpay/payments/stripe/checkout.py); the sandbox journeys are in
tests/e2e/test_pay_invoice.py."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from firmpay.core.models import AuditRecord
from firmpay.invoices.links import invoice_link_path
from firmpay.payments.checkout_exceptions import AmountInvalid, PaymentInProgress
from firmpay.payments.checkout_models import CheckoutSettings, OnlinePayment, PaymentRefund
from firmpay.payments.services import payment_account_disconnect
from firmpay.payments.services.checkout import checkout_start
from firmpay.payments.services.refunds import payment_refund_create
from firmpay.payments.stripe import checkout as adapter
from firmpay.payments.tests.online import (
    Stripe,
    connected_account,
    deliver,
    pending_payment,
    sent_invoice,
)
from firmpay.tenancy.models import Membership, Role, User

pytestmark = pytest.mark.django_db


class FakeStripe:
    def __init__(self):
        self.sessions: dict[str, dict] = {}
        self.by_key: dict[str, adapter.CheckoutSessionInfo] = {}
        self.expired: list[str] = []
        self.refunds: dict[str, adapter.RefundInfo] = {}
        self.lock = threading.Lock()

    def create(self, **kw):
        with self.lock:
            if kw["idempotency_key"] in self.by_key:
                return self.by_key[kw["idempotency_key"]]
            sid = f"cs_test_{uuid.uuid4().hex[:16]}"
            self.sessions[sid] = kw
            info = adapter.CheckoutSessionInfo(
                id=sid,
                url=f"https://checkout.test/{sid}",
                status="open",
                payment_status="unpaid",
                payment_intent="",
                amount_total=kw["amount"],
                expires_at=datetime.now(tz=UTC) + timedelta(hours=24),
                metadata=kw["metadata"],
            )
            self.by_key[kw["idempotency_key"]] = info
            return info

    def expire(self, *, account_id, session_id):
        self.expired.append(session_id)

    def refund(self, **kw):
        key = kw["idempotency_key"]
        if key not in self.refunds:
            self.refunds[key] = adapter.RefundInfo(
                id=f"re_{uuid.uuid4().hex[:16]}",
                amount=kw["amount"],
                currency="USD",
                status="succeeded",
                charge="",
                payment_intent=kw["payment_intent"],
                metadata=kw["metadata"],
            )
        return self.refunds[key]


@pytest.fixture
def fake(monkeypatch):
    fake = FakeStripe()
    monkeypatch.setattr(adapter, "checkout_session_create", fake.create)
    monkeypatch.setattr(adapter, "checkout_session_expire", fake.expire)
    monkeypatch.setattr(adapter, "refund_create", fake.refund)
    return fake


@pytest.fixture
def ready(make_firm):
    firm = make_firm()
    firm.bank_details = "Acme Bank, routing 110000000, account 000123456789"
    firm.save()
    account = connected_account(firm)
    return firm, account, sent_invoice(firm)


PAGE = "http://testserver/i/x/"


def paid(payment, *, method="card"):
    s = Stripe(payment, method=method)
    deliver(s.session("checkout.session.completed", "paid"))
    payment.refresh_from_db()
    return s


# --- the client's page ------------------------------------------------------------------


def test_pay_button_shows_while_the_firm_can_take_charges(client, ready):
    _firm, _account, invoice = ready
    page = client.get(invoice_link_path(invoice)).content.decode()
    assert 'id="pay-button"' in page
    assert "Card, ACH direct debit" in page


def test_without_an_account_the_page_says_unavailable_and_shows_bank_details(client, make_firm):
    firm = make_firm()
    firm.bank_details = "Acme Bank, sort code 10-88-00"
    firm.save()
    invoice = sent_invoice(firm)
    page = client.get(invoice_link_path(invoice)).content.decode()
    assert 'id="pay-button"' not in page
    assert "Online payment is unavailable" in page
    assert "sort code 10-88-00" in page


def test_pay_redirects_to_a_session_on_the_connected_account(client, ready, fake):
    firm, account, invoice = ready
    response = client.post(invoice_link_path(invoice) + "pay/")
    assert response.status_code == 303
    payment = OnlinePayment.objects.get(invoice=invoice)
    assert response["Location"] == payment.checkout_url
    sent = fake.sessions[payment.checkout_session_id]
    assert sent["account_id"] == account.stripe_account_id
    assert sent["amount"] == 10000 and sent["currency"] == "USD"
    assert sent["application_fee_amount"] == 75  # standard plan: 75 bps
    assert sent["methods"] == ["card", "us_bank_account"]
    assert sent["metadata"]["firmpay_payment_id"] == str(payment.pk)
    assert sent["metadata"]["firmpay_invoice_id"] == str(invoice.pk)
    assert sent["idempotency_key"] == f"online_payment:{payment.pk}:checkout"
    assert sent["success_url"].endswith(f"/paid/{payment.pk}/")
    assert sent["cancel_url"] == f"http://testserver{invoice_link_path(invoice)}"


def test_fee_is_zero_on_a_plan_set_to_zero(ready, fake, settings):
    _firm, _account, invoice = ready
    settings.FIRMPAY_APPLICATION_FEE_BPS = {"standard": 0}
    payment = checkout_start(invoice=invoice, return_url=PAGE)
    assert fake.sessions[payment.checkout_session_id]["application_fee_amount"] == 0


def test_methods_follow_capabilities_currency_and_the_firm_switches(make_firm, fake):
    firm = make_firm(country="GB")
    connected_account(firm, ach="active", bacs="active")
    gbp = sent_invoice(firm, currency="GBP")
    payment = checkout_start(invoice=gbp, return_url=PAGE)
    assert payment.allowed_methods == ["card", "bacs_debit"]
    CheckoutSettings.objects.create(firm=firm, bacs_enabled=False)
    other = sent_invoice(firm, currency="GBP")
    assert checkout_start(invoice=other, return_url=PAGE).allowed_methods == ["card"]
    inactive = make_firm()
    connected_account(inactive, ach="pending")
    assert checkout_start(invoice=sent_invoice(inactive), return_url=PAGE).allowed_methods == [
        "card"
    ]


def test_a_still_open_session_for_the_same_amount_is_reused(ready, fake):
    _firm, _account, invoice = ready
    first = checkout_start(invoice=invoice, return_url=PAGE)
    second = checkout_start(invoice=invoice, return_url=PAGE)
    assert first.pk == second.pk and len(fake.sessions) == 1


def test_a_new_amount_retires_the_older_open_session(
    ready, fake, django_capture_on_commit_callbacks
):
    firm, _account, invoice = ready
    CheckoutSettings.objects.create(firm=firm, allow_partial=True, partial_minimum=1000)
    first = checkout_start(invoice=invoice, return_url=PAGE)
    with django_capture_on_commit_callbacks(execute=True):
        part = checkout_start(invoice=invoice, return_url=PAGE, amount=4000)
    first.refresh_from_db()
    assert first.status == "expired" and part.amount == 4000
    assert fake.expired == [first.checkout_session_id]


def test_partial_payments_only_when_allowed_and_above_the_minimum(ready, fake):
    firm, _account, invoice = ready
    with pytest.raises(AmountInvalid):
        checkout_start(invoice=invoice, return_url=PAGE, amount=4000)
    CheckoutSettings.objects.create(firm=firm, allow_partial=True, partial_minimum=2000)
    with pytest.raises(AmountInvalid):
        checkout_start(invoice=invoice, return_url=PAGE, amount=1999)
    with pytest.raises(AmountInvalid):
        checkout_start(invoice=invoice, return_url=PAGE, amount=10001)
    payment = checkout_start(invoice=invoice, return_url=PAGE, amount=4000)
    paid(payment)
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_due) == ("partially_paid", 6000)


def test_double_click_makes_one_session(client, ready, fake):
    _firm, _account, invoice = ready
    url = invoice_link_path(invoice) + "pay/"
    first, second = client.post(url), client.post(url)
    assert first["Location"] == second["Location"]
    assert len(fake.sessions) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    "postgresql" not in __import__("django.conf").conf.settings.DATABASES["default"]["ENGINE"],
    reason="row locks: PostgreSQL",
)
def test_two_simultaneous_pay_clicks_create_one_session(make_firm, fake):
    firm = make_firm()
    connected_account(firm)
    invoice = sent_invoice(firm)
    barrier = threading.Barrier(2)
    results = []

    def click():
        barrier.wait()
        try:
            results.append(checkout_start(invoice=invoice, return_url=PAGE).pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1 and len(fake.sessions) == 1


def test_a_processing_debit_blocks_a_new_session(client, ready, fake):
    _firm, _account, invoice = ready
    payment = checkout_start(invoice=invoice, return_url=PAGE)
    deliver(
        Stripe(payment, method="us_bank_account").session("checkout.session.completed", "unpaid")
    )
    invoice.refresh_from_db()
    assert invoice.status == "payment_processing"
    with pytest.raises(PaymentInProgress):
        checkout_start(invoice=invoice, return_url=PAGE)
    page = client.get(invoice_link_path(invoice)).content.decode()
    assert 'id="pay-button"' not in page and "is on its way" in page


def test_receipt_to_the_client_and_notice_to_the_firm(
    ready, fake, django_capture_on_commit_callbacks
):
    firm, _account, invoice = ready
    payment = checkout_start(invoice=invoice, return_url=PAGE)
    with django_capture_on_commit_callbacks(execute=True):
        paid(payment)
    subjects = {m.subject: m.to for m in mail.outbox}
    assert subjects[f"Receipt: $100.00 paid to {firm.name} for invoice {invoice.number}"] == [
        invoice.client.email
    ]
    assert subjects[f"Payment received: $100.00 for invoice {invoice.number}"] == [firm.email]
    invoice.refresh_from_db()
    assert invoice.status == "paid"


def test_a_failed_debit_reopens_the_invoice_and_tells_both(
    ready, fake, django_capture_on_commit_callbacks
):
    firm, _account, invoice = ready
    payment = checkout_start(invoice=invoice, return_url=PAGE)
    s = Stripe(payment, method="us_bank_account")
    with django_capture_on_commit_callbacks(execute=True):
        deliver(s.session("checkout.session.completed", "unpaid"))
        deliver(s.session("checkout.session.async_payment_failed", "unpaid"))
    invoice.refresh_from_db()
    assert invoice.status == "open" and invoice.amount_due == 10000
    to = {tuple(m.to) for m in mail.outbox}
    assert (invoice.client.email,) in to and (firm.email,) in to
    assert any("did not go through" in m.subject for m in mail.outbox)
    assert any("Payment initiated" in m.subject for m in mail.outbox)
    assert any("Payment failed" in m.subject for m in mail.outbox)


def test_disconnect_expires_open_sessions_and_removes_the_pay_button(
    client, make_firm, fake, django_capture_on_commit_callbacks
):
    firm = make_firm()
    account = connected_account(firm)
    account.created_via = "oauth"
    account.save()
    invoice = sent_invoice(firm)
    payment = checkout_start(invoice=invoice, return_url=PAGE)
    import firmpay.payments.stripe.accounts as accounts_adapter

    accounts_adapter_deauth = accounts_adapter.oauth_deauthorize
    accounts_adapter.oauth_deauthorize = lambda acct: None
    try:
        with django_capture_on_commit_callbacks(execute=True):
            payment_account_disconnect(account=account, actor=firm.owner)
    finally:
        accounts_adapter.oauth_deauthorize = accounts_adapter_deauth
    payment.refresh_from_db()
    assert payment.status == "expired" and fake.expired == [payment.checkout_session_id]
    page = client.get(invoice_link_path(invoice)).content.decode()
    assert 'id="pay-button"' not in page and "Online payment is unavailable" in page


# --- the return page ----------------------------------------------------------------------


def test_return_page_shows_our_records_and_polls_until_final(client, ready, fake):
    _firm, _account, invoice = ready
    payment = checkout_start(invoice=invoice, return_url=PAGE)
    url = invoice_link_path(invoice) + f"paid/{payment.pk}/"
    page = client.get(url).content.decode()
    assert "Not yet confirmed" in page and "hx-trigger" in page
    paid(payment)
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "Payment received" in fragment and "hx-trigger" not in fragment


def test_return_page_of_another_invoice_is_404(client, ready, fake, make_firm):
    _firm, _account, invoice = ready
    payment = checkout_start(invoice=invoice, return_url=PAGE)
    other = sent_invoice(invoice.firm)
    assert client.get(invoice_link_path(other) + f"paid/{payment.pk}/").status_code == 404


# --- refunds, overpayment -----------------------------------------------------------------


def test_partial_refund_from_the_invoice_page_is_idempotent_and_audited(client, ready, fake):
    firm, _account, invoice = ready
    payment = checkout_start(invoice=invoice, return_url=PAGE)
    paid(payment)
    client.force_login(firm.owner)
    page = client.get(f"/invoices/{invoice.pk}/").content.decode()
    assert 'id="payment-timeline"' in page and "Refund" in page
    form = {
        "amount": "30.00",
        "reason": "requested_by_customer",
        "note": "goodwill",
        "request_key": "k1",
    }
    client.post(f"/payments/{payment.pk}/refund/", form)
    client.post(f"/payments/{payment.pk}/refund/", form)
    refund = PaymentRefund.objects.get(payment=payment)
    assert refund.amount == 3000 and len(fake.refunds) == 1
    payment.refresh_from_db()
    invoice.refresh_from_db()
    assert payment.status == "partially_refunded"
    assert (invoice.status, invoice.amount_due) == ("partially_paid", 3000)
    audit = AuditRecord.objects.get(action="payments.refund_created")
    assert audit.detail["amount"] == 3000 and audit.detail["reason"] == "requested_by_customer"


def test_full_refund_marks_the_invoice_refunded(ready, fake):
    firm, _account, invoice = ready
    payment = checkout_start(invoice=invoice, return_url=PAGE)
    paid(payment)
    payment_refund_create(
        payment=payment,
        amount=10000,
        reason="requested_by_customer",
        actor=firm.owner,
        request_key="a",
    )
    invoice.refresh_from_db()
    assert invoice.status == "refunded"


def test_staff_cannot_refund(client, ready, fake):
    firm, _account, invoice = ready
    payment = checkout_start(invoice=invoice, return_url=PAGE)
    paid(payment)
    staff = User.objects.create_user(f"{uuid.uuid4().hex[:6]}@staff.test", "pw-12345678")
    Membership.objects.create(user=staff, firm=firm, role=Role.STAFF)
    client.force_login(staff)
    response = client.post(
        f"/payments/{payment.pk}/refund/",
        {"amount": "10.00", "reason": "duplicate", "request_key": "s"},
    )
    assert response.status_code == 403 and not PaymentRefund.objects.exists()


def test_two_successful_payments_show_an_overpayment_with_a_working_refund(client, ready, fake):
    firm, account, invoice = ready
    first = pending_payment(invoice, account)
    paid(first)
    second = OnlinePayment.objects.create(
        firm=firm,
        invoice=invoice,
        account=account,
        stripe_account_id=account.stripe_account_id,
        amount=10000,
        currency="USD",
        checkout_session_id="cs_test_second",
        session_expires_at=timezone.now() + timedelta(hours=1),
    )
    paid(second)
    invoice.refresh_from_db()
    assert invoice.status == "paid" and invoice.amount_paid == 20000
    client.force_login(firm.owner)
    page = client.get(f"/invoices/{invoice.pk}/").content.decode()
    assert 'id="overpayment"' in page
    key = page.split('name="request_key" value="')[1].split('"')[0]
    client.post(
        f"/payments/{second.pk}/refund/",
        {"amount": "10000", "minor": "1", "reason": "duplicate", "request_key": key},
    )
    invoice.refresh_from_db()
    second.refresh_from_db()
    assert (invoice.status, invoice.amount_paid, second.status) == ("paid", 10000, "refunded")
    assert 'id="overpayment"' not in client.get(f"/invoices/{invoice.pk}/").content.decode()


# --- the payments list ----------------------------------------------------------------------


def test_payments_list_filters_and_totals(client, ready, fake):
    firm, account, invoice = ready
    card = pending_payment(invoice, account)
    paid(card)
    other = sent_invoice(firm)
    debit = pending_payment(other, account)
    deliver(Stripe(debit, method="us_bank_account").session("checkout.session.completed", "unpaid"))
    client.force_login(firm.owner)
    page = client.get("/payments/").content.decode()
    assert page.count('data-payment="') == 2 and "Received $100.00" in page
    only = client.get("/payments/?status=processing").content.decode()
    assert only.count('data-payment="') == 1 and f'data-payment="{debit.pk}"' in only
    by_method = client.get("/payments/?method=card").content.decode()
    assert (
        f'data-payment="{card.pk}"' in by_method and f'data-payment="{debit.pk}"' not in by_method
    )
    tomorrow = (timezone.now() + timedelta(days=1)).date().isoformat()
    assert 'data-payment="' not in client.get(f"/payments/?date_from={tomorrow}").content.decode()


def test_accounting_hears_of_a_payment_and_of_its_full_refund(ready, fake, monkeypatch):
    import firmpay.accounting.services as accounting

    calls = []
    monkeypatch.setattr(
        accounting, "accounting_on_payment_succeeded", lambda **kw: calls.append(("paid", kw))
    )
    monkeypatch.setattr(
        accounting, "accounting_on_payment_reversed", lambda **kw: calls.append(("reversed", kw))
    )
    firm, _account, invoice = ready
    payment = checkout_start(invoice=invoice, return_url=PAGE)
    paid(payment)
    paid(payment)  # a duplicate changes nothing
    payment_refund_create(
        payment=payment, amount=10000, reason="duplicate", actor=firm.owner, request_key="acc"
    )
    assert [kind for kind, _ in calls] == ["paid", "reversed"]
    assert calls[0][1]["payment_key"] == f"online:{payment.pk}"
    assert calls[0][1]["amount"] == 10000 and calls[0][1]["currency"] == "USD"
    assert calls[1][1]["invoice"].pk == invoice.pk


def test_owners_switch_debits_off_and_allow_part_payments(client, ready, fake):
    firm, _account, invoice = ready
    client.force_login(firm.owner)
    page = client.get("/payments/settings/").content.decode()
    assert "Offer ACH direct debit" in page and 'aria-current="page">Online payments' in page
    client.post(
        "/payments/settings/",
        {"bacs_enabled": "on", "allow_partial": "on", "partial_minimum": "2500"},
    )
    row = CheckoutSettings.objects.get(firm=firm)
    assert (row.ach_enabled, row.bacs_enabled, row.allow_partial, row.partial_minimum) == (
        False,
        True,
        True,
        2500,
    )
    assert checkout_start(invoice=invoice, return_url=PAGE).allowed_methods == ["card"]


def test_staff_cannot_change_payment_settings(client, ready):
    firm, _account, _invoice = ready
    staff = User.objects.create_user(f"{uuid.uuid4().hex[:6]}@staff.test", "pw-12345678")
    Membership.objects.create(user=staff, firm=firm, role=Role.STAFF)
    client.force_login(staff)
    client.post("/payments/settings/", {"allow_partial": "on", "partial_minimum": "1"})
    assert not CheckoutSettings.objects.filter(firm=firm).exists()
