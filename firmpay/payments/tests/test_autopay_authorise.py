"""Authorise once: Checkout in setup mode on the firm's connected account, one Customer
per client, the saved method shown and revocable, invoices marked for collection."""

from __future__ import annotations

import pytest
from django.core import mail

from firmpay.payments.autopay.authorise import (
    autopay_authorisation_revoke,
    autopay_authorisation_start,
    autopay_request_send,
)
from firmpay.payments.autopay.models import AutopayAuthorisation, AutopayCustomer, InvoiceAutopay
from firmpay.payments.autopay.selectors import autopay_disconnect_impact, invoice_collection_date
from firmpay.payments.tests.autopay_helpers import (
    authorised,
    feed_events,
    live_account,
    new_client,
    sent_to,
)

pytestmark = pytest.mark.usefixtures("stripe_settings")


def test_setup_page_is_checkout_in_setup_mode_on_the_connected_account(stripe_sandbox, firm):
    account = live_account(stripe_sandbox, firm)
    client = new_client(firm)
    authorisation = autopay_authorisation_start(client=client)
    session = stripe_sandbox.client().v1.checkout.sessions.retrieve(
        authorisation.setup_session_id, options={"stripe_account": account.stripe_account_id}
    )
    assert session.mode == "setup"
    assert session.payment_method_types == ["card", "us_bank_account"]
    assert session.customer == AutopayCustomer.objects.get(client=client).stripe_customer_id


def test_one_customer_per_client_however_often_they_start(stripe_sandbox, firm):
    account = live_account(stripe_sandbox, firm)
    client = new_client(firm)
    autopay_authorisation_start(client=client)
    autopay_authorisation_start(client=client, invoice=sent_to(client))
    customers = stripe_sandbox.client().v1.customers.list(
        options={"stripe_account": account.stripe_account_id}
    )
    assert len(customers.data) == 1 and AutopayCustomer.objects.count() == 1


def test_saved_card_is_active_with_its_details(stripe_sandbox, firm):
    live_account(stripe_sandbox, firm)
    authorisation = authorised(stripe_sandbox, new_client(firm))
    assert authorisation.status == "active"
    assert authorisation.method_label == "Card ending 4242"


def test_bacs_mandate_keeps_its_reference_and_terms(stripe_sandbox, make_firm):
    firm = make_firm(country="GB")
    live_account(stripe_sandbox, firm)
    authorisation = authorised(
        stripe_sandbox, new_client(firm, currency="GBP"), method="bacs_debit"
    )
    assert authorisation.mandate_reference.startswith("FIRMPAY-")
    assert authorisation.mandate_url.endswith(f"/mandates/{authorisation.mandate_id}")


def test_setup_events_alone_activate_the_authorisation(stripe_sandbox, firm):
    account = live_account(stripe_sandbox, firm)
    authorisation = autopay_authorisation_start(client=new_client(firm))
    stripe_sandbox.control(
        "POST", f"checkout/sessions/{authorisation.setup_session_id}/setup", {"method": "card"}
    )
    feed_events(stripe_sandbox, account.stripe_account_id, set())
    authorisation.refresh_from_db()
    assert authorisation.status == "active" and authorisation.payment_method_id


def test_authorising_from_an_invoice_marks_it_and_later_invoices(stripe_sandbox, firm):
    live_account(stripe_sandbox, firm)
    client = new_client(firm)
    first = sent_to(client)
    authorised(stripe_sandbox, client, invoice=first)
    later = sent_to(client)
    assert set(InvoiceAutopay.objects.values_list("invoice_id", flat=True)) == {first.pk, later.pk}
    assert invoice_collection_date(invoice=later) is not None


def test_revoking_detaches_the_method_and_stops_scheduled_charges(
    stripe_sandbox, firm, django_capture_on_commit_callbacks
):
    account = live_account(stripe_sandbox, firm)
    client = new_client(firm)
    authorisation = authorised(stripe_sandbox, client, method="us_bank_account")
    invoice = sent_to(client)
    with django_capture_on_commit_callbacks(execute=True):
        autopay_authorisation_revoke(authorisation=authorisation)
    mandate = stripe_sandbox.client().v1.mandates.retrieve(
        authorisation.mandate_id, options={"stripe_account": account.stripe_account_id}
    )
    assert mandate.status == "inactive"
    assert InvoiceAutopay.objects.get(invoice=invoice).status == "paused"
    assert invoice_collection_date(invoice=invoice) is None


def test_firm_request_emails_the_client_their_autopay_link(
    stripe_sandbox, firm, django_capture_on_commit_callbacks
):
    live_account(stripe_sandbox, firm)
    client = new_client(firm)
    with django_capture_on_commit_callbacks(execute=True):
        link = autopay_request_send(client=client)
    assert mail.outbox[-1].to == [client.email] and link in mail.outbox[-1].body


def test_disconnect_shows_the_mandates_and_charges_it_would_stop(stripe_sandbox, firm):
    account = live_account(stripe_sandbox, firm)
    client = new_client(firm)
    authorised(stripe_sandbox, client, method="us_bank_account")
    sent_to(client)
    sent_to(client)
    assert autopay_disconnect_impact(account=account) == {
        "mandates": 1,
        "cards": 0,
        "scheduled_charges": 2,
    }


def test_another_firm_sees_no_authorisation(stripe_sandbox, firm, make_firm):
    live_account(stripe_sandbox, firm)
    authorised(stripe_sandbox, new_client(firm))
    other = make_firm()
    assert not AutopayAuthorisation.objects.filter(firm=other).exists()
