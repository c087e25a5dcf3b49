"""'Question about a payment': from the invoice page and the payments list, the payment's
ids travel in the message context; another firm's payment id is a 404."""

from __future__ import annotations

import pytest

from firmpay.helpdesk.models import Conversation, Message, Tag
from firmpay.payments.tests.online import connected_account, pending_payment, sent_invoice

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def payment(firm):
    firm.plan = "standard"
    firm.save()
    payment = pending_payment(sent_invoice(firm, amount=12500), connected_account(firm))
    payment.status = "succeeded"  # the invoice page lists payments past checkout
    payment.save()
    return payment


def test_payment_pages_offer_a_question_about_the_payment(owner_client, payment):
    link = f"/help/?topic=payment_question&amp;payment={payment.pk}"
    assert link in owner_client.get(f"/invoices/{payment.invoice_id}/").content.decode()
    assert link in owner_client.get("/payments/").content.decode()


def test_question_about_a_payment_prefills_and_carries_its_ids(owner_client, firm, payment):
    html = owner_client.get(
        f"/help/?topic=payment_question&payment={payment.pk}", **HX
    ).content.decode()
    assert f"payment on invoice {payment.invoice.number}" in html
    assert "$125.00" in html
    owner_client.post(
        "/help/send/",
        {"body": "Was this paid?", "tag": "payment_question", "payment": payment.pk},
        **HX,
    )
    conversation = Conversation.objects.get(firm=firm)
    assert conversation.tag == Tag.PAYMENT_QUESTION
    context = Message.objects.get().context
    assert context["payment_id"] == payment.pk
    assert context["invoice_number"] == payment.invoice.number
    assert context["payment_status"] == "succeeded"


def test_another_firms_payment_is_not_found(other_client, payment):
    response = other_client.get(f"/help/?topic=payment_question&payment={payment.pk}", **HX)
    assert response.status_code == 404
    response = other_client.post(
        "/help/send/", {"body": "x", "tag": "payment_question", "payment": payment.pk}
    )
    assert response.status_code == 404
    assert not Message.objects.exists()
