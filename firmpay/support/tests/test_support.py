"""The support back office: only Django staff reach it; it lists firms with their payment
accounts, shows one firm's account, events and audit log, and disconnects with a reason."""

import pytest

from firmpay.core.models import AuditRecord
from firmpay.integrations.tests.conftest import client_for, make_user
from firmpay.payments.models import PaymentAccount
from firmpay.payments.services import payment_account_create

pytestmark = pytest.mark.usefixtures("stripe_settings")


@pytest.fixture
def support_client(db):
    return client_for(make_user("support", is_staff=True))


@pytest.fixture
def account(firm):
    return payment_account_create(firm=firm, actor=firm.owner)


def disconnect_url(account) -> str:
    return f"/support/firms/{account.firm_id}/accounts/{account.pk}/disconnect/"


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get("/support/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_firm_members_cannot_reach_support(firm, account, owner_client, staff_client):
    for client in (owner_client, staff_client):
        assert client.get("/support/").status_code == 404
        assert client.get(f"/support/firms/{firm.pk}/").status_code == 404
        assert client.post(disconnect_url(account), {"reason": "x"}).status_code == 404
    assert PaymentAccount.objects.get(pk=account.pk).disconnected_at is None


def test_support_lists_firms_with_their_accounts(firm, account, make_firm, support_client):
    unconnected = make_firm()
    page = support_client.get("/support/").content.decode()
    assert firm.name in page and account.stripe_account_id in page and "Incomplete" in page
    assert unconnected.name not in page


def test_firm_detail_shows_account_events_and_audit(firm, account, support_client):
    page = support_client.get(f"/support/firms/{firm.pk}/").content.decode()
    assert account.stripe_account_id in page
    assert "payments.account_created" in page
    assert "Reason (required" in page


def test_unknown_firm_is_404(support_client):
    assert support_client.get("/support/firms/999999/").status_code == 404


def test_disconnect_needs_a_reason(firm, account, support_client):
    page = support_client.post(disconnect_url(account), {"reason": "  "}, follow=True)
    assert "Give a reason" in page.content.decode()
    assert PaymentAccount.objects.get(pk=account.pk).disconnected_at is None


def test_support_disconnects_a_platform_account_with_the_reason_audited(
    firm, account, support_client
):
    response = support_client.post(
        disconnect_url(account), {"reason": "Firm closed, asked by phone", "ticket": "T-42"}
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.disconnected_at is not None
    assert account.disconnect_reason == "Firm closed, asked by phone"
    record = AuditRecord.objects.get(firm=firm, action="payments.account_disconnected")
    assert record.detail["reason"] == "Firm closed, asked by phone"
    assert record.detail["by_support"] and record.detail["support_ticket"] == "T-42"
    assert record.ip_address == "203.0.113.7" and record.actor.is_staff
    page = support_client.get(f"/support/firms/{firm.pk}/").content.decode()
    assert "Firm closed, asked by phone" in page and "No active payment account." in page


def test_the_firm_can_connect_again_after_support_disconnected(
    firm, account, support_client, owner_client
):
    support_client.post(disconnect_url(account), {"reason": "Wrong account"})
    page = owner_client.get("/settings/integrations/").content.decode()
    assert 'id="stripe-status">Not connected' in page
    assert owner_client.post("/settings/integrations/stripe/create/").status_code == 302
    assert PaymentAccount.objects.filter(firm=firm, disconnected_at__isnull=True).count() == 1


def test_a_stale_form_for_another_firms_account_is_404(firm, account, make_firm, support_client):
    other = make_firm()
    url = f"/support/firms/{other.pk}/accounts/{account.pk}/disconnect/"
    assert support_client.post(url, {"reason": "x"}).status_code == 404
    assert PaymentAccount.objects.get(pk=account.pk).disconnected_at is None


def test_support_finds_a_firm_by_stripe_account_id(firm, account, make_firm, support_client):
    other = make_firm()
    payment_account_create(firm=other, actor=other.owner)
    page = support_client.get(f"/support/?q={account.stripe_account_id}").content.decode()
    assert firm.name in page and other.name not in page
    page = support_client.get("/support/?q=no-such-firm").content.decode()
    assert "No firm matches" in page
