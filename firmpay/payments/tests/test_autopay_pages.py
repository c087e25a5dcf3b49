"""The autopay pages: the offer on the client's invoice page, the client's autopay page
(status, mandate reference, revoke), the firm's list and settings, the disconnect panel."""

from __future__ import annotations

import datetime

import pytest

from firmpay.invoices.links import invoice_link_path
from firmpay.payments.autopay.authorise import client_autopay_token
from firmpay.payments.autopay.models import AutopaySettings
from firmpay.payments.tests.autopay_helpers import authorised, live_account, new_client, sent_to

pytestmark = pytest.mark.usefixtures("stripe_settings")


def test_invoice_page_offers_autopay_and_sends_the_client_to_the_setup_page(
    client, stripe_sandbox, firm
):
    live_account(stripe_sandbox, firm)
    invoice = sent_to(new_client(firm))
    path = invoice_link_path(invoice)
    page = client.get(path).content.decode()
    assert "Pay automatically from now on" in page
    response = client.post(f"{path}autopay/")
    assert response.status_code == 303 and "/c/pay/cs_test_" in response["Location"]


def test_invoice_page_says_when_an_authorised_client_is_charged(client, stripe_sandbox, firm):
    live_account(stripe_sandbox, firm)
    customer = new_client(firm)
    authorised(stripe_sandbox, customer)
    page = client.get(invoice_link_path(sent_to(customer))).content.decode()
    assert "will be collected automatically on" in page
    assert "Pay automatically from now on" not in page


def test_client_sees_the_bacs_mandate_and_can_revoke(client, stripe_sandbox, make_firm):
    firm = make_firm(country="GB")
    live_account(stripe_sandbox, firm)
    customer = new_client(firm, currency="GBP")
    authorisation = authorised(stripe_sandbox, customer, method="bacs_debit")
    url = f"/autopay/{client_autopay_token(client=customer)}/"
    page = client.get(url).content.decode()
    assert authorisation.mandate_reference in page and "Direct Debit Guarantee" in page
    client.post(f"{url}revoke/")
    authorisation.refresh_from_db()
    assert authorisation.status == "revoked"
    assert "Set up automatic payments" in client.get(url).content.decode()


def test_a_forged_client_link_is_not_found(client, db):
    assert client.get("/autopay/not-a-signed-token/").status_code == 404


def test_firm_sets_the_retry_schedule(client, stripe_sandbox, firm):
    live_account(stripe_sandbox, firm)
    client.force_login(firm.owner)
    response = client.post(
        "/payments/autopay/", {"retry_days": "3, 7", "default_collect_on": "due"}
    )
    assert response.status_code == 302
    settings_row = AutopaySettings.objects.get(firm=firm)
    assert settings_row.retry_days == [3, 7] and settings_row.default_collect_on == "due"


def test_firm_page_rejects_a_bad_retry_schedule(client, stripe_sandbox, firm):
    client.force_login(firm.owner)
    page = client.post("/payments/autopay/", {"retry_days": "three", "default_collect_on": "issue"})
    assert "Enter whole days" in page.content.decode()
    assert not AutopaySettings.objects.exists()


def test_disconnect_panel_counts_mandates_and_scheduled_charges(client, stripe_sandbox, firm):
    account = live_account(stripe_sandbox, firm)
    account.created_via = "oauth"
    account.save(update_fields=["created_via"])
    customer = new_client(firm)
    authorised(stripe_sandbox, customer, method="us_bank_account")
    sent_to(customer)
    client.force_login(firm.owner)
    page = client.get("/settings/integrations/stripe/disconnect/").content.decode()
    assert "1 Direct Debit mandate and 0 saved cards" in page
    assert "1 scheduled charge will not be made" in page


def test_firm_sends_an_authorisation_request_only_to_its_own_client(
    client, stripe_sandbox, firm, make_firm, django_capture_on_commit_callbacks
):
    from django.core import mail

    live_account(stripe_sandbox, firm)
    own = new_client(firm)
    other = new_client(make_firm())
    client.force_login(firm.owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/payments/autopay/request/", {"client": other.pk})
        client.post("/payments/autopay/request/", {"client": own.pk})
    assert [m.to for m in mail.outbox] == [[own.email]]


def test_firms_invoice_page_says_how_the_automatic_collection_stands(client, stripe_sandbox, firm):
    from django.utils import timezone

    from firmpay.payments.autopay.charges import autopay_sweep

    live_account(stripe_sandbox, firm)
    customer = new_client(firm)
    authorised(stripe_sandbox, customer, outcome="decline")
    invoice = sent_to(customer)
    client.force_login(firm.owner)
    page = client.get(f"/invoices/{invoice.pk}/").content.decode()
    assert "To be collected automatically from Card ending 0341 on" in page
    autopay_sweep(now=timezone.now())
    page = " ".join(client.get(f"/invoices/{invoice.pk}/").content.decode().split())
    assert "The automatic payment did not go through (Your card was declined.)" in page
    assert "Next try from Card ending 0341 on" in page
    assert "Charged automatically" in page and "Checkout opened" not in page


def test_after_a_decline_the_clients_invoice_page_says_so_and_offers_another_method(
    client, stripe_sandbox, firm
):
    from django.utils import timezone

    from firmpay.payments.autopay.charges import autopay_sweep

    live_account(stripe_sandbox, firm)
    customer = new_client(firm)
    authorised(stripe_sandbox, customer, outcome="decline")
    invoice = sent_to(customer)
    before = client.get(invoice_link_path(invoice)).content.decode()
    assert "There is no need to pay it by hand" in before
    autopay_sweep(now=timezone.now())
    page = " ".join(client.get(invoice_link_path(invoice)).content.decode().split())
    assert "The automatic payment from your Card ending 0341 did not go through" in page
    assert "There is no need to pay it by hand" not in page
    assert "Use another card or bank account" in page and 'id="pay-button"' in page


def test_client_page_shows_the_authorised_date_on_the_firms_calendar(client, stripe_sandbox, firm):
    firm.timezone = "Pacific/Auckland"
    firm.save(update_fields=["timezone"])
    live_account(stripe_sandbox, firm)
    customer = new_client(firm)
    authorisation = authorised(stripe_sandbox, customer)
    # 22:30 UTC on 1 March is 11:30 on 2 March in Auckland.
    authorisation.authorised_at = datetime.datetime(2026, 3, 1, 22, 30, tzinfo=datetime.UTC)
    authorisation.save(update_fields=["authorised_at"])
    page = client.get(f"/autopay/{client_autopay_token(client=customer)}/").content.decode()
    assert "Authorised 2 March 2026." in page
