"""Starting payments and the pages around them, against the Stripe sandbox (real SDK over
HTTP, nothing patched): each firm's connected account is created in the sandbox and made
Active there, sessions and refunds are made for real and read back from the sandbox, and
payments are made with the sandbox's control calls; their events are read back from the
account's event list and fed through the processing service, as the webhook would. The
browser journeys are in tests/e2e/test_pay_invoice.py."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
import stripe
from django.contrib.sessions.backends.db import SessionStore
from django.core import mail
from django.db import connection
from django.utils import timezone

from firmpay.core.models import AuditRecord
from firmpay.invoices.links import invoice_link_path
from firmpay.payments.models import PaymentAccount, StripeEvent
from firmpay.payments.online.checkout import checkout_start
from firmpay.payments.online.exceptions import AmountInvalid, PaymentInProgress
from firmpay.payments.online.models import CheckoutSettings, OnlinePayment, PaymentRefund
from firmpay.payments.online.refunds import payment_refund_create
from firmpay.payments.services import (
    oauth_complete,
    oauth_start,
    payment_account_create,
    payment_account_disconnect,
    payment_account_refresh,
)
from firmpay.payments.tests.online import deliver, sent_invoice
from firmpay.tenancy.models import Membership, Role, User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("stripe_settings")]

PAGE = "http://testserver/i/x/"
ACH = "us_bank_account_ach_payments"


def live_account(stripe_sandbox, firm, *, capability=None) -> PaymentAccount:
    """The firm's connected account, created in the sandbox (card, transfers and the
    country's debit: ACH in the US, Bacs in GB) and made Active there; `capability` =
    (name, status) forces one capability's status."""
    account = payment_account_create(firm=firm, actor=firm.owner)
    acct = account.stripe_account_id
    stripe_sandbox.control("POST", f"accounts/{acct}/state", {"state": "verified"})
    if capability:
        name, status = capability
        stripe_sandbox.control(
            "POST",
            f"accounts/{acct}/state",
            {"state": "capability", "capability": name, "status": status},
        )
    return payment_account_refresh(account=account)


@pytest.fixture
def ready(make_firm, stripe_sandbox):
    firm = make_firm()
    firm.bank_details = "Acme Bank, routing 110000000, account 000123456789"
    firm.save()
    account = live_account(stripe_sandbox, firm)
    assert account.charges_enabled and account.snapshot["capabilities"]["ach"] == "active"
    return firm, account, sent_invoice(firm)


def session_of(stripe_client, payment):
    """The payment's Checkout Session as the sandbox holds it."""
    return stripe_client.v1.checkout.sessions.retrieve(
        payment.checkout_session_id, options={"stripe_account": payment.stripe_account_id}
    )


def sessions_on(stripe_client, account, **params) -> list[str]:
    """Ids of the Checkout Sessions on the connected account (optionally by status)."""
    listed = stripe_client.v1.checkout.sessions.list(
        params={"limit": 100, **params}, options={"stripe_account": account.stripe_account_id}
    )
    return [session.id for session in listed.data]


def feed(stripe_client, account_id: str) -> list[dict]:
    """Every event of the connected account not stored yet, oldest first, through the
    processing service; returns what was fed."""
    listed = stripe_client.v1.events.list(
        params={"limit": 100}, options={"stripe_account": account_id}
    )
    fed = []
    for event in reversed(listed.data):
        if not StripeEvent.objects.filter(event_id=event.id).exists():
            data = event.to_dict()
            deliver(data)
            fed.append(data)
    return fed


def pay(stripe_sandbox, payment, *, method="card", outcome="succeed") -> dict:
    """The client pays the open session as the hosted page would."""
    return stripe_sandbox.control(
        "POST",
        f"checkout/sessions/{payment.checkout_session_id}/pay",
        {"method": method, "outcome": outcome},
    )


@pytest.fixture
def paid(stripe_sandbox, stripe_client):
    """Pay in the sandbox and feed the account's events; returns the events fed."""

    def paid(payment, *, method="card", outcome="succeed") -> list[dict]:
        pay(stripe_sandbox, payment, method=method, outcome=outcome)
        fed = feed(stripe_client, payment.stripe_account_id)
        payment.refresh_from_db()
        return fed

    return paid


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


def test_pay_redirects_to_a_session_on_the_connected_account(
    client, ready, stripe_sandbox, stripe_client
):
    firm, account, invoice = ready
    response = client.post(invoice_link_path(invoice) + "pay/")
    assert response.status_code == 303
    payment = OnlinePayment.objects.get(invoice=invoice)
    assert response["Location"] == payment.checkout_url
    # Retrieved with the connected account's header: the session lives on that account.
    session = session_of(stripe_client, payment)
    assert session.url == payment.checkout_url
    assert session.amount_total == 10000 and session.currency == "usd"
    assert session.payment_method_types == ["card", "us_bank_account"]
    assert session.metadata["firmpay_payment_id"] == str(payment.pk)
    assert session.metadata["firmpay_invoice_id"] == str(invoice.pk)
    assert session.success_url.endswith(f"/paid/{payment.pk}/")
    assert session.cancel_url == f"http://testserver{invoice_link_path(invoice)}"
    # The idempotency key was used for this session on this account: other parameters
    # under the same key are refused.
    with pytest.raises(stripe.IdempotencyError):
        stripe_client.v1.checkout.sessions.create(
            params={
                "mode": "payment",
                "line_items": [
                    {
                        "quantity": 1,
                        "price_data": {
                            "currency": "usd",
                            "unit_amount": 1,
                            "product_data": {"name": "other"},
                        },
                    }
                ],
                "success_url": PAGE,
            },
            options={
                "stripe_account": account.stripe_account_id,
                "idempotency_key": f"online_payment:{payment.pk}:checkout",
            },
        )
    intent = pay(stripe_sandbox, payment)["payment_intent"]
    assert intent["application_fee_amount"] == 75  # standard plan: 75 bps
    assert intent["metadata"]["firmpay_payment_id"] == str(payment.pk)
    assert intent["metadata"]["firmpay_invoice_id"] == str(invoice.pk)


def test_fee_is_zero_on_a_plan_set_to_zero(ready, settings, stripe_sandbox, stripe_client):
    _firm, _account, invoice = ready
    settings.FIRMPAY_APPLICATION_FEE_BPS = {"standard": 0}
    payment = checkout_start(invoice=invoice, return_url=PAGE)
    assert payment.application_fee_amount == 0
    intent = pay(stripe_sandbox, payment)["payment_intent"]
    assert not intent["application_fee_amount"]
    fees = stripe_client.v1.application_fees.list(params={"limit": 100})
    assert [fee for fee in fees.data if fee.account == payment.stripe_account_id] == []


def test_the_fee_taken_is_the_one_the_plan_page_shows(ready, settings, stripe_sandbox):
    """The operator's FIRMPAY_APPLICATION_FEE_BPS is both what the Plan page says and what
    Stripe is asked to take (application_fee_amount), on every plan."""
    from django.urls import reverse

    from firmpay.tenancy.tests.factories import client_for

    firm, _account, invoice = ready
    settings.FIRMPAY_APPLICATION_FEE_BPS = {"free": 300, "standard": 125, "pro": 10}
    plan_page = client_for(firm.owner, firm).get(reverse("tenancy:plan")).content.decode()
    assert "1.25% of each online payment" in plan_page
    payment = checkout_start(invoice=invoice, return_url=PAGE)
    assert payment.application_fee_amount == 125  # 1.25% of $100.00
    intent = pay(stripe_sandbox, payment)["payment_intent"]
    assert intent["application_fee_amount"] == 125


def test_methods_follow_capabilities_currency_and_the_firm_switches(
    make_firm, stripe_sandbox, stripe_client
):
    firm = make_firm(country="GB")
    account = live_account(stripe_sandbox, firm)
    assert account.snapshot["capabilities"]["bacs"] == "active"
    gbp = sent_invoice(firm, currency="GBP")
    payment = checkout_start(invoice=gbp, return_url=PAGE)
    assert payment.allowed_methods == ["card", "bacs_debit"]
    assert session_of(stripe_client, payment).payment_method_types == ["card", "bacs_debit"]
    CheckoutSettings.objects.create(firm=firm, bacs_enabled=False)
    other = checkout_start(invoice=sent_invoice(firm, currency="GBP"), return_url=PAGE)
    assert other.allowed_methods == ["card"]
    assert session_of(stripe_client, other).payment_method_types == ["card"]
    inactive = make_firm()
    live_account(stripe_sandbox, inactive, capability=(ACH, "pending"))
    pending = checkout_start(invoice=sent_invoice(inactive), return_url=PAGE)
    assert pending.allowed_methods == ["card"]
    assert session_of(stripe_client, pending).payment_method_types == ["card"]


def test_a_still_open_session_for_the_same_amount_is_reused(ready, stripe_client):
    _firm, account, invoice = ready
    first = checkout_start(invoice=invoice, return_url=PAGE)
    second = checkout_start(invoice=invoice, return_url=PAGE)
    assert first.pk == second.pk
    assert sessions_on(stripe_client, account) == [first.checkout_session_id]


def test_a_new_amount_retires_the_older_open_session(
    ready, stripe_client, django_capture_on_commit_callbacks
):
    firm, account, invoice = ready
    CheckoutSettings.objects.create(firm=firm, allow_partial=True, partial_minimum=1000)
    first = checkout_start(invoice=invoice, return_url=PAGE)
    with django_capture_on_commit_callbacks(execute=True):
        part = checkout_start(invoice=invoice, return_url=PAGE, amount=4000)
    first.refresh_from_db()
    assert first.status == "expired" and part.amount == 4000
    assert session_of(stripe_client, first).status == "expired"
    assert sessions_on(stripe_client, account, status="expired") == [first.checkout_session_id]
    assert session_of(stripe_client, part).status == "open"


def test_partial_payments_only_when_allowed_and_above_the_minimum(ready, paid):
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


def test_double_click_makes_one_session(client, ready, stripe_client):
    _firm, account, invoice = ready
    url = invoice_link_path(invoice) + "pay/"
    first, second = client.post(url), client.post(url)
    assert first["Location"] == second["Location"]
    assert len(sessions_on(stripe_client, account)) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    "postgresql" not in __import__("django.conf").conf.settings.DATABASES["default"]["ENGINE"],
    reason="row locks: PostgreSQL",
)
def test_two_simultaneous_pay_clicks_create_one_session(make_firm, stripe_sandbox, stripe_client):
    firm = make_firm()
    account = live_account(stripe_sandbox, firm)
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
    assert len(set(results)) == 1 and len(sessions_on(stripe_client, account)) == 1


def test_a_processing_debit_blocks_a_new_session(client, ready, paid):
    _firm, _account, invoice = ready
    payment = checkout_start(invoice=invoice, return_url=PAGE)
    paid(payment, method="us_bank_account")  # initiated: settles days later
    invoice.refresh_from_db()
    assert invoice.status == "payment_processing"
    with pytest.raises(PaymentInProgress):
        checkout_start(invoice=invoice, return_url=PAGE)
    page = client.get(invoice_link_path(invoice)).content.decode()
    assert 'id="pay-button"' not in page and "is on its way" in page


def test_receipt_to_the_client_and_notice_to_the_firm(
    ready, paid, django_capture_on_commit_callbacks
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
    ready, stripe_sandbox, stripe_client, django_capture_on_commit_callbacks
):
    firm, account, invoice = ready
    payment = checkout_start(invoice=invoice, return_url=PAGE)
    with django_capture_on_commit_callbacks(execute=True):
        answer = pay(stripe_sandbox, payment, method="us_bank_account", outcome="fail_later")
        feed(stripe_client, account.stripe_account_id)
        stripe_sandbox.control("POST", f"payment_intents/{answer['payment_intent']['id']}/fail", {})
        feed(stripe_client, account.stripe_account_id)
    invoice.refresh_from_db()
    assert invoice.status == "open" and invoice.amount_due == 10000
    to = {tuple(m.to) for m in mail.outbox}
    assert (invoice.client.email,) in to and (firm.email,) in to
    assert any("did not go through" in m.subject for m in mail.outbox)
    assert any("Payment initiated" in m.subject for m in mail.outbox)
    assert any("Payment failed" in m.subject for m in mail.outbox)


REDIRECT_URI = "http://testserver/settings/integrations/stripe/callback/"


def oauth_connected_account(stripe_sandbox, firm) -> PaymentAccount:
    """A verified Stripe account the firm already had, connected through the sandbox's
    OAuth consent page."""
    email = f"{uuid.uuid4().hex[:8]}@existing.test"
    stripe_sandbox.control(
        "POST", "accounts", {"email": email, "business_name": "Existing Ltd", "state": "verified"}
    )
    session = SessionStore()
    session.save()
    url = oauth_start(firm=firm, user=firm.owner, session=session, redirect_uri=REDIRECT_URI)
    with httpx.Client(follow_redirects=True, timeout=10) as browser:
        page = browser.get(url)
        base = f"{page.url.scheme}://{page.url.host}:{page.url.port}{page.url.path}"
        browser.post(base + "/signin", data={"email": email})
        answer = browser.post(base + "/decide", data={"action": "approve"}, follow_redirects=False)
    query = {k: v[0] for k, v in parse_qs(urlparse(answer.headers["location"]).query).items()}
    return oauth_complete(
        firm=firm, user=firm.owner, session=session, state=query["state"], code=query["code"]
    )


def test_disconnect_expires_open_sessions_and_removes_the_pay_button(
    client, make_firm, stripe_sandbox, stripe_client, django_capture_on_commit_callbacks
):
    firm = make_firm()
    account = oauth_connected_account(stripe_sandbox, firm)
    assert account.created_via == "oauth" and account.charges_enabled
    invoice = sent_invoice(firm)
    payment = checkout_start(invoice=invoice, return_url=PAGE)
    assert session_of(stripe_client, payment).status == "open"
    with django_capture_on_commit_callbacks(execute=True):
        payment_account_disconnect(account=account, actor=firm.owner)
    payment.refresh_from_db()
    assert payment.status == "expired"
    page = client.get(invoice_link_path(invoice)).content.decode()
    assert 'id="pay-button"' not in page and "Online payment is unavailable" in page
    # Expired in the sandbox (read through the control API: the platform has no access to
    # the account any more), so the client cannot pay it.
    refused = f"Checkout Session {payment.checkout_session_id} is expired, not open"
    with pytest.raises(AssertionError, match=refused):
        pay(stripe_sandbox, payment)


# --- the return page ----------------------------------------------------------------------


def test_return_page_shows_our_records_and_polls_until_final(client, ready, paid):
    _firm, _account, invoice = ready
    payment = checkout_start(invoice=invoice, return_url=PAGE)
    url = invoice_link_path(invoice) + f"paid/{payment.pk}/"
    page = client.get(url).content.decode()
    assert "Not yet confirmed" in page and "hx-trigger" in page
    paid(payment)
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "Payment received" in fragment and "hx-trigger" not in fragment


def test_return_page_of_another_invoice_is_404(client, ready, make_firm):
    _firm, _account, invoice = ready
    payment = checkout_start(invoice=invoice, return_url=PAGE)
    other = sent_invoice(invoice.firm)
    assert client.get(invoice_link_path(other) + f"paid/{payment.pk}/").status_code == 404


# --- refunds, overpayment -----------------------------------------------------------------


def charge_of(stripe_client, payment):
    """The payment's charge as the sandbox holds it."""
    assert payment.charge_id
    return stripe_client.v1.charges.retrieve(
        payment.charge_id, options={"stripe_account": payment.stripe_account_id}
    )


def test_partial_refund_from_the_invoice_page_is_idempotent_and_audited(
    client, ready, paid, stripe_client
):
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
    assert refund.amount == 3000 and refund.stripe_refund_id
    # One refund at Stripe: the charge has 30.00 back, not 60.00.
    assert charge_of(stripe_client, payment).amount_refunded == 3000
    payment.refresh_from_db()
    invoice.refresh_from_db()
    assert payment.status == "partially_refunded"
    assert (invoice.status, invoice.amount_due) == ("partially_paid", 3000)
    audit = AuditRecord.objects.get(action="payments.refund_created")
    assert audit.detail["amount"] == 3000 and audit.detail["reason"] == "requested_by_customer"


def test_full_refund_marks_the_invoice_refunded(ready, paid, stripe_client):
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
    assert charge_of(stripe_client, payment).amount_refunded == 10000


def test_staff_cannot_refund(client, ready, paid, stripe_client):
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
    assert charge_of(stripe_client, payment).amount_refunded == 0


def test_two_successful_payments_show_an_overpayment_with_a_working_refund(
    client, ready, paid, stripe_client, django_capture_on_commit_callbacks
):
    """Two tabs: the first session was about to expire when the second was made, and its
    expiry never reached Stripe (the after-commit call is not run), so the client could
    pay both."""
    firm, _account, invoice = ready
    first = checkout_start(invoice=invoice, return_url=PAGE)
    OnlinePayment.objects.filter(pk=first.pk).update(session_expires_at=first.created_at)
    with django_capture_on_commit_callbacks(execute=False):
        second = checkout_start(invoice=invoice, return_url=PAGE)
    assert second.pk != first.pk
    assert session_of(stripe_client, first).status == "open"
    paid(first)
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
    assert charge_of(stripe_client, second).amount_refunded == 10000
    assert 'id="overpayment"' not in client.get(f"/invoices/{invoice.pk}/").content.decode()


# --- the payments list ----------------------------------------------------------------------


def test_payments_list_filters_and_totals(client, ready, paid):
    firm, _account, invoice = ready
    card = checkout_start(invoice=invoice, return_url=PAGE)
    paid(card)
    other = sent_invoice(firm)
    debit = checkout_start(invoice=other, return_url=PAGE)
    paid(debit, method="us_bank_account")  # initiated: processing
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


@pytest.fixture
def books_hear():
    """What the payments hooks tell the books (accounting's own listeners do nothing here:
    the firm has no accounting connection)."""
    from firmpay.payments.hooks import payment_hook_register, payment_hook_unregister

    calls = []

    def booked(**kw):
        calls.append(("paid", kw))

    def unbooked(**kw):
        calls.append(("reversed", kw))

    payment_hook_register("payment_booked", booked)
    payment_hook_register("payment_unbooked", unbooked)
    yield calls
    payment_hook_unregister("payment_booked", booked)
    payment_hook_unregister("payment_unbooked", unbooked)


def test_accounting_hears_of_a_payment_and_of_its_full_refund(ready, paid, books_hear):
    calls = books_hear
    firm, _account, invoice = ready
    payment = checkout_start(invoice=invoice, return_url=PAGE)
    events = paid(payment)
    for event in events:  # a duplicate delivery of every event changes nothing
        deliver(event)
    payment_refund_create(
        payment=payment, amount=10000, reason="duplicate", actor=firm.owner, request_key="acc"
    )
    assert [kind for kind, _ in calls] == ["paid", "reversed"]
    assert calls[0][1]["payment_key"] == f"online:{payment.pk}"
    assert calls[0][1]["amount"] == 10000 and calls[0][1]["currency"] == "USD"
    assert calls[1][1]["invoice"].pk == invoice.pk


def test_owners_switch_debits_off_and_allow_part_payments(client, ready, stripe_client):
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
    payment = checkout_start(invoice=invoice, return_url=PAGE)
    assert payment.allowed_methods == ["card"]
    assert session_of(stripe_client, payment).payment_method_types == ["card"]


def test_staff_cannot_change_payment_settings(client, ready):
    firm, _account, _invoice = ready
    staff = User.objects.create_user(f"{uuid.uuid4().hex[:6]}@staff.test", "pw-12345678")
    Membership.objects.create(user=staff, firm=firm, role=Role.STAFF)
    client.force_login(staff)
    client.post("/payments/settings/", {"allow_partial": "on", "partial_minimum": "1"})
    assert not CheckoutSettings.objects.filter(firm=firm).exists()
