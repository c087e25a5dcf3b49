"""invoices_issue_bulk: the same invoices invoice_create + invoice_send would make."""

import datetime

import pytest
from django.core import mail

from firmpay.clients.tests.builders import client_build, firm_build
from firmpay.invoices.bulk import IssueDraft, invoices_issue_bulk
from firmpay.invoices.models import Invoice, InvoiceStatus
from firmpay.invoices.services import invoice_send
from firmpay.invoices.tests.builders import invoice_build, invoice_hook_listening, line

pytestmark = pytest.mark.django_db

D = datetime.date
LINES = (line("Tax return", "1", 45000, "8.875"), line("Bookkeeping", "2.5", 8000))


def draft(client, **fields) -> IssueDraft:
    values = {
        "firm_id": client.firm_id,
        "client_id": client.pk,
        "currency": client.currency,
        "issue_date": D(2026, 5, 1),
        "due_date": D(2026, 5, 31),
        "lines": LINES,
    } | fields
    return IssueDraft(**values)


@pytest.fixture
def sent_calls():
    calls = []

    def listener(*, invoice):
        calls.append(invoice.number)

    with invoice_hook_listening("sent", listener):
        yield calls


def test_bulk_invoices_match_one_made_and_sent_by_hand(django_capture_on_commit_callbacks):
    firm = firm_build()
    client = client_build(firm=firm)
    by_hand = invoice_send(invoice=invoice_build(firm=firm, client=client, lines=list(LINES)))
    with django_capture_on_commit_callbacks(execute=True):
        [issued] = invoices_issue_bulk(drafts=[draft(client)])
    bulk = Invoice.objects.get(pk=issued.id)
    fields = ("subtotal", "tax_total", "total", "amount_due", "amount_paid", "status")
    assert [getattr(bulk, f) for f in fields] == [getattr(by_hand, f) for f in fields]
    assert bulk.status == InvoiceStatus.OPEN and bulk.sent_at is not None
    assert [(x.line_subtotal, x.line_tax) for x in bulk.lines.all()] == [
        (x.line_subtotal, x.line_tax) for x in by_hand.lines.all()
    ]
    assert (by_hand.number, bulk.number) == ("INV-0001", "INV-0002")
    assert bulk.link_token != by_hand.link_token


def test_numbers_are_consecutive_per_firm(django_capture_on_commit_callbacks):
    firm_a, firm_b = firm_build(), firm_build()
    a, b = client_build(firm=firm_a), client_build(firm=firm_b)
    invoice_build(firm=firm_b, client=b)
    with django_capture_on_commit_callbacks(execute=True):
        issued = invoices_issue_bulk(drafts=[draft(a), draft(b), draft(a), draft(b)])
    assert [i.number for i in issued] == ["INV-0001", "INV-0002", "INV-0002", "INV-0003"]


def test_sent_hooks_and_emails_run_after_the_commit(django_capture_on_commit_callbacks, sent_calls):
    firm = firm_build()
    clients = [client_build(firm=firm) for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        issued = invoices_issue_bulk(drafts=[draft(c) for c in clients])
    assert sent_calls == [] and mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):  # the follow-up task's own commit
        for callback in callbacks:
            callback()
    assert sent_calls == [i.number for i in issued]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(c.email for c in clients)


def test_bulk_issued_numbers_are_found_by_search_and_later_ones_too(
    django_capture_on_commit_callbacks,
):
    from firmpay.invoices.selectors import invoice_list

    firm = firm_build()
    client = client_build(firm=firm, name="Zed Ltd")
    with django_capture_on_commit_callbacks(execute=True):
        invoices_issue_bulk(drafts=[draft(client) for _ in range(12)])
    by_hand = invoice_send(invoice=invoice_build(firm=firm, client=client, lines=list(LINES)))

    def found(search):
        return sorted(i.number for i in invoice_list(firm=firm, search=search))

    assert found("0001") == ["INV-0001"]
    assert found("001") == [f"INV-{n:04d}" for n in (1, 10, 11, 12, 13)]
    assert by_hand.number == "INV-0013" and found("0013") == ["INV-0013"]
