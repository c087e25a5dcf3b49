"""An invoice email that fails to send says so on the invoice, with the reason and a retry
(issue 19, finding 4); a firm name with a line break no longer stops its emails."""

import pytest
from django.core import mail
from django.urls import reverse

from firmpay.clients.models import Client
from firmpay.clients.tests.builders import client_build, firm_build, member_build
from firmpay.invoices.models import InvoiceEmail
from firmpay.invoices.tests.builders import invoice_build
from firmpay.tenancy.models import Firm, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def firm():
    return firm_build(default_currency="USD", payment_terms_days=30)


@pytest.fixture
def acme(firm):
    return client_build(firm=firm, name="Acme Ltd")


@pytest.fixture
def staff(client, firm):
    client.force_login(member_build(firm=firm, role=Role.STAFF))
    return client


def send(staff, invoice, django_capture_on_commit_callbacks):
    """Send (the worker runs after the commit), then the invoice page."""
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(reverse("invoices:send", args=[invoice.pk]))
    return staff.get(reverse("invoices:detail", args=[invoice.pk]))


def test_a_sent_email_shows_as_sent(staff, firm, acme, django_capture_on_commit_callbacks):
    invoice = invoice_build(firm=firm, client=acme)

    page = send(staff, invoice, django_capture_on_commit_callbacks).content.decode()

    assert len(mail.outbox) == 1
    assert InvoiceEmail.objects.get(invoice=invoice).status == "sent"
    assert 'data-email-status="sent"' in page


def test_an_email_that_fails_shows_not_sent_with_the_reason_and_a_retry(
    staff, firm, acme, django_capture_on_commit_callbacks
):
    # An address stored before forms checked it: the message cannot be built.
    Client.objects.filter(pk=acme.pk).update(email="ap@acme.test\nBcc: someone@else.test")
    invoice = invoice_build(firm=firm, client=acme)

    page = send(staff, invoice, django_capture_on_commit_callbacks).content.decode()

    email = InvoiceEmail.objects.get(invoice=invoice)
    assert (email.status, mail.outbox) == ("failed", [])
    assert email.error
    assert 'data-email-status="failed"' in page and "Not sent" in page
    assert 'id="invoice-email-retry"' in page

    Client.objects.filter(pk=acme.pk).update(email="ap@acme.test")
    retried = send(staff, invoice, django_capture_on_commit_callbacks).content.decode()

    assert len(mail.outbox) == 1
    assert 'data-email-status="sent"' in retried


def test_a_firm_name_with_a_line_break_no_longer_stops_its_emails(
    staff, firm, acme, django_capture_on_commit_callbacks
):
    Firm.objects.filter(pk=firm.pk).update(name="Smith & Co\nBcc: evil@x.test")
    invoice = invoice_build(firm=firm, client=acme)

    send(staff, invoice, django_capture_on_commit_callbacks)

    assert InvoiceEmail.objects.get(invoice=invoice).status == "sent"
    assert mail.outbox[0].subject == f"Invoice {invoice.number} from Smith & Co Bcc: evil@x.test"
    assert "\n" not in mail.outbox[0].message()["Subject"]
