"""Numbers from requests and events that Python half-accepts (issue 19, findings 3 and 6):
each gets a clear refusal, never a 500, and nothing is written."""

import uuid

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from firmpay.invoices.links import invoice_link_path
from firmpay.payments.online.models import CheckoutSettings, OnlinePayment, PaymentRefund
from firmpay.payments.tests.online import (
    connected_account,
    deliver,
    event,
    event_status,
    pending_payment,
    sent_invoice,
)
from firmpay.tenancy.tests.factories import client_for

pytestmark = pytest.mark.django_db


def flashed(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


@pytest.mark.parametrize("amount", ["1e999999", "²", "٣", "9" * 10_000, "NaN", "-5", "0"])
def test_the_pay_form_refuses_numbers_python_half_accepts(client, firm, amount):
    invoice = sent_invoice(firm)

    response = client.post(invoice_link_path(invoice) + "pay/", {"amount": amount})

    assert response.status_code == 302
    assert "Enter the amount to pay" in flashed(response)
    assert not OnlinePayment.objects.exists()


def test_a_pay_amount_in_another_currency_is_refused_not_read_as_dollars(client, firm):
    invoice = sent_invoice(firm, currency="USD")

    response = client.post(invoice_link_path(invoice) + "pay/", {"amount": "¥5"})

    assert "This amount is in USD" in flashed(response)
    assert not OnlinePayment.objects.exists()


@pytest.mark.parametrize("minor", ["²", "1e9", "-1", "0", "9" * 30, ""])
def test_a_refund_in_minor_units_takes_ascii_digits_only(firm, minor):
    payment = pending_payment(sent_invoice(firm), connected_account(firm))
    client = client_for(firm.owner, firm)

    response = client.post(
        reverse("online_payments:refund", args=[payment.pk]), {"amount": minor, "minor": "1"}
    )

    assert response.status_code == 302
    assert "Enter the amount to refund" in flashed(response)
    assert not PaymentRefund.objects.exists()


@pytest.mark.parametrize("minimum", ["-1", "²", "1e3", "9" * 30])
def test_the_part_payment_minimum_is_a_whole_number_of_zero_or_more(firm, minimum):
    client = client_for(firm.owner, firm)

    response = client.post(
        reverse("online_payments:settings"), {"allow_partial": "on", "partial_minimum": minimum}
    )

    assert response.status_code == 200
    assert "partial_minimum" in response.context["form"].errors
    assert not CheckoutSettings.objects.filter(firm=firm, allow_partial=True).exists()


@pytest.mark.parametrize("bad_id", ["²", "٣", "-1", "9" * 30, "abc"])
def test_an_event_whose_payment_id_is_not_an_id_is_ignored_not_failed(firm, bad_id):
    account = connected_account(firm)
    session = {
        "id": f"cs_test_{uuid.uuid4().hex[:20]}",
        "object": "checkout.session",
        "payment_intent": f"pi_{uuid.uuid4().hex[:20]}",
        "payment_status": "paid",
        "status": "complete",
        "amount_total": 100,
        "metadata": {"firmpay_payment_id": bad_id},
    }
    data = event("checkout.session.completed", account.stripe_account_id, session)

    deliver(data)

    assert event_status(data["id"]) != "failed"
