import datetime

import pytest
from django.core import mail
from django.db.models import RestrictedError

from firmpay.clients.tests.builders import client_build, firm_build
from firmpay.core.models import AuditRecord
from firmpay.invoices.exceptions import InvoiceNotEditable, InvoiceStateError, PaymentRefused
from firmpay.invoices.links import invoice_link_url
from firmpay.invoices.models import Invoice, InvoiceStatus, ManualPayment
from firmpay.invoices.selectors import invoice_display_status
from firmpay.invoices.services import (
    invoice_record_manual_payment,
    invoice_send,
    invoice_update,
    invoice_void,
)
from firmpay.invoices.tests.builders import invoice_build, line

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 3, 2)


@pytest.fixture
def firm():
    return firm_build(payment_terms_days=14, email="office@firm.test")


@pytest.fixture
def invoice(firm):
    client = client_build(firm=firm, email="payer@client.test")
    return invoice_build(
        firm=firm, client=client, issue_date=TODAY, lines=[line(unit_amount=10000)]
    )


def pay(invoice, amount, **fields):
    return invoice_record_manual_payment(
        invoice=invoice, amount=amount, method="bank_transfer", received_on=TODAY, **fields
    )


def test_a_new_invoice_is_a_draft_due_after_the_firms_payment_terms(invoice):
    assert invoice.status == InvoiceStatus.DRAFT
    assert invoice.due_date == TODAY + datetime.timedelta(days=14)
    assert (invoice.total, invoice.amount_due, invoice.amount_paid) == (10000, 10000, 0)


def test_sending_opens_the_invoice_and_emails_the_client_link_after_commit(
    invoice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invoice_send(invoice=invoice)
        assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert invoice.status == InvoiceStatus.OPEN and invoice.sent_at is not None
    [email] = mail.outbox
    assert email.to == ["payer@client.test"]
    assert invoice.number in email.subject
    assert invoice_link_url(invoice) in email.body
    assert "$100.00" in email.body


def test_sending_again_resends_the_email(invoice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invoice_send(invoice=invoice)
    with django_capture_on_commit_callbacks(execute=True):
        invoice_send(invoice=invoice)
    assert invoice.status == InvoiceStatus.OPEN
    assert len(mail.outbox) == 2


def test_sending_again_after_a_payment_states_what_was_paid_and_what_is_due(
    invoice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invoice_send(invoice=invoice)
    pay(invoice, 4000)
    with django_capture_on_commit_callbacks(execute=True):
        invoice_send(invoice=invoice)
    pay(invoice, 6000)
    with django_capture_on_commit_callbacks(execute=True):
        invoice_send(invoice=invoice)
    partly, paid = mail.outbox[1].body, mail.outbox[2].body
    assert "for $100.00" in partly and "$40.00 has been paid; $60.00 is still due." in partly
    assert "for $100.00" in paid and "paid in full: nothing is due" in paid
    assert "$0.00" not in paid


def test_a_sent_invoice_can_no_longer_be_edited(invoice):
    invoice_send(invoice=invoice)
    with pytest.raises(InvoiceNotEditable):
        invoice_update(
            invoice=invoice,
            client=invoice.client,
            lines=[line(unit_amount=1)],
            currency="USD",
            issue_date=TODAY,
        )
    assert invoice.lines.get().unit_amount == 10000


def test_editing_a_draft_replaces_its_lines_and_totals(invoice):
    invoice_update(
        invoice=invoice,
        client=invoice.client,
        currency="USD",
        issue_date=TODAY,
        lines=[line(unit_amount=500, quantity="2", tax_rate="10"), line(unit_amount=250)],
    )
    invoice.refresh_from_db()
    assert (invoice.subtotal, invoice.tax_total, invoice.total) == (1250, 100, 1350)
    assert invoice.amount_due == 1350 and invoice.lines.count() == 2


def test_partial_then_full_manual_payments_move_the_status(invoice):
    invoice_send(invoice=invoice)
    pay(invoice, 4000, reference="BACS 123")
    assert (invoice.status, invoice.amount_paid, invoice.amount_due) == (
        InvoiceStatus.PARTIALLY_PAID,
        4000,
        6000,
    )
    pay(invoice, 6000)
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_paid, invoice.amount_due) == (
        InvoiceStatus.PAID,
        10000,
        0,
    )
    assert AuditRecord.objects.filter(action="invoice.manual_payment").count() == 2


def test_overpaying_is_refused_with_the_amount_due_and_records_nothing(invoice):
    invoice_send(invoice=invoice)
    with pytest.raises(PaymentRefused, match=r"\$100.01 is more than the \$100.00 due"):
        pay(invoice, 10001)
    assert ManualPayment.objects.count() == 0
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.OPEN


@pytest.mark.parametrize("amount", [0, -5])
def test_payments_must_be_positive(invoice, amount):
    invoice_send(invoice=invoice)
    with pytest.raises(PaymentRefused):
        pay(invoice, amount)


def test_payment_amounts_are_integers_in_minor_units(invoice):
    invoice_send(invoice=invoice)
    with pytest.raises(TypeError):
        pay(invoice, 12.5)


def test_drafts_and_void_invoices_take_no_payments(invoice):
    with pytest.raises(PaymentRefused, match="Send"):
        pay(invoice, 100)
    invoice_void(invoice=invoice)
    with pytest.raises(PaymentRefused, match="void"):
        pay(invoice, 100)


def test_voiding_keeps_the_invoice_and_audits_it(invoice):
    invoice_send(invoice=invoice)
    invoice_void(invoice=invoice)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.VOID and invoice.voided_at is not None
    assert AuditRecord.objects.filter(action="invoice.void", target_id=str(invoice.pk)).exists()
    with pytest.raises(InvoiceStateError):
        invoice_send(invoice=invoice)


def test_an_invoice_with_payments_cannot_be_voided(invoice):
    invoice_send(invoice=invoice)
    pay(invoice, 100)
    with pytest.raises(InvoiceStateError):
        invoice_void(invoice=invoice)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PARTIALLY_PAID


def test_overdue_is_derived_from_the_due_date_never_stored(invoice):
    invoice_send(invoice=invoice)
    assert invoice_display_status(invoice, invoice.due_date) == "open"
    day_after = invoice.due_date + datetime.timedelta(days=1)
    assert invoice_display_status(invoice, day_after) == "overdue"
    assert invoice.status == InvoiceStatus.OPEN
    pay(invoice, invoice.total)
    assert invoice_display_status(invoice, day_after) == "paid"


def test_drafts_are_never_overdue(invoice):
    assert invoice_display_status(invoice, TODAY + datetime.timedelta(days=365)) == "draft"


def test_a_client_with_invoices_cannot_be_deleted_but_its_firm_can(invoice, firm):
    with pytest.raises(RestrictedError):
        invoice.client.delete()
    invoice_send(invoice=invoice)
    pay(invoice, 100)
    firm.delete()
    assert not Invoice.objects.filter(pk=invoice.pk).exists()
