"""Every answer the client cannot use becomes a counted, retried failure with a message the
firm can read; no row is ever left "running" (problem 5). Each kind is fed here."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from firmpay.accounting.models import SyncItem, SyncStatus
from firmpay.accounting.services.outcomes import MAX_ATTEMPTS
from firmpay.accounting.tests.flows import connect_quickbooks, connect_xero, drain, sent_invoice

pytestmark = pytest.mark.django_db

MESSAGES = {
    "fault_200": "QuickBooks answered 200 but reported an error",
    "html": "answered with an HTML page instead of data",
    "empty": "sent an empty answer",
    "wrong_types": "The answer",
    "list": "answered with a list, not an object",
}


def _first_attempt(item: SyncItem) -> None:
    assert item.status == SyncStatus.PENDING, item.status  # retried, not running, not done
    assert item.attempts == 1
    assert item.next_attempt_at > timezone.now()


@pytest.mark.parametrize("kind", ["fault_200", "html", "empty", "wrong_types", "list"])
def test_quickbooks_unexpected_answer_is_a_counted_retry(owner_client, firm, qbo, kind):
    connect_quickbooks(owner_client, qbo)
    qbo.fail_next(kind, path_contains="/invoice", method="POST")

    sent_invoice(firm)
    drain()

    item = SyncItem.objects.get()
    _first_attempt(item)
    assert MESSAGES[kind] in item.last_error


@pytest.mark.parametrize("kind", ["html", "empty", "wrong_types", "list"])
def test_xero_unexpected_answer_is_a_counted_retry(owner_client, firm, xero, kind):
    connect_xero(owner_client, xero)
    xero.fail_next(kind, path_contains="Invoices", method="PUT")

    sent_invoice(firm)
    drain()

    item = SyncItem.objects.get()
    _first_attempt(item)
    assert MESSAGES[kind] in item.last_error


def test_the_retry_after_an_unexpected_answer_books_once(owner_client, firm, xero):
    connect_xero(owner_client, xero)
    xero.fail_next("html", path_contains="Invoices", method="PUT")
    sent_invoice(firm)
    drain()

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2), tick=True):
        drain()

    assert SyncItem.objects.get().status == SyncStatus.DONE and len(xero.invoices) == 1


def test_unexpected_answers_every_time_end_failed_and_shown(owner_client, firm, qbo):
    connect_quickbooks(owner_client, qbo)
    qbo.fail_next("fault_200", path_contains="/invoice", method="POST", times=MAX_ATTEMPTS)
    invoice = sent_invoice(firm)

    now = timezone.now()
    for attempt in range(MAX_ATTEMPTS):
        with time_machine.travel(now + datetime.timedelta(hours=2 * attempt), tick=True):
            drain()

    item = SyncItem.objects.get()
    assert item.status == SyncStatus.FAILED and item.attempts == MAX_ATTEMPTS
    page = owner_client.get(f"/invoices/{invoice.pk}/").content.decode()
    assert "Sync failed" in page and "reported an error" in page


def test_a_lookup_answered_in_the_wrong_shape_is_a_counted_retry(owner_client, firm, xero):
    connect_xero(owner_client, xero)
    xero.fail_next("wrong_types", path_contains="Contacts", method="GET")

    sent_invoice(firm)
    drain()

    item = SyncItem.objects.get()
    _first_attempt(item)
    assert "Xero's Contacts were not a list of records" in item.last_error
    assert not xero.contacts  # nothing created on a guess


def test_a_crash_inside_a_handler_never_leaves_the_row_running(
    owner_client, firm, xero, monkeypatch
):
    from firmpay.accounting.models import SyncAction
    from firmpay.accounting.services import sync

    connect_xero(owner_client, xero)

    def broken(*args):
        raise KeyError("Invoices")

    monkeypatch.setitem(sync.HANDLERS, SyncAction.INVOICE_UPSERT, broken)
    sent_invoice(firm)
    drain()

    item = SyncItem.objects.get()
    _first_attempt(item)
    assert item.last_error == "Unexpected problem while syncing (KeyError)."
