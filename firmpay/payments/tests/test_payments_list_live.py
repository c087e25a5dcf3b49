"""The payments list follows payments in flight by itself (issue 18): polled while one is
pending or processing (204 while nothing changed), no polling once all have settled."""

import re

import pytest
from django.test import Client

from firmpay.payments.tests.online import connected_account, pending_payment, sent_invoice

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def owner_client(firm, owner):
    client = Client()
    client.force_login(owner)
    return client


@pytest.fixture
def processing(firm):
    payment = pending_payment(sent_invoice(firm), connected_account(firm))
    payment.status = "processing"
    payment.save()
    return payment


def poll_url(page: str) -> str:
    match = re.search(r'id="payments-live" hx-get="([^"]+)" hx-trigger="every \d+s"', page)
    return match.group(1).replace("&amp;", "&") if match else ""


def test_the_list_polls_while_a_debit_is_processing_and_hears_nothing_new(owner_client, processing):
    url = poll_url(owner_client.get("/payments/?method=").content.decode())
    assert url.startswith("/payments/?method=&since=")
    assert owner_client.get(url, headers=HTMX).status_code == 204


def test_a_settled_debit_reaches_the_list_and_polling_stops(owner_client, processing):
    url = poll_url(owner_client.get("/payments/").content.decode())
    processing.status = "succeeded"
    processing.save()
    page = owner_client.get(url, headers=HTMX).content.decode()
    assert 'data-status="succeeded"' in page or "Succeeded" in page
    assert poll_url(page) == ""


def test_no_polling_when_nothing_is_in_flight(owner_client, firm):
    assert poll_url(owner_client.get("/payments/").content.decode()) == ""
