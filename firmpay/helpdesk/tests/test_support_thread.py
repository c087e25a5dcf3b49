"""Support in the thread: the firm's context beside it, reply, close/reopen (audited), and
the one-click disconnect of a disconnect request (against the Stripe sandbox)."""

from __future__ import annotations

import pytest

from firmpay.core.models import AuditRecord
from firmpay.helpdesk.models import Conversation, Message
from firmpay.helpdesk.tests.conftest import make_conversation
from firmpay.payments.models import PaymentAccount
from firmpay.payments.services import payment_account_create, payment_account_refresh

pytestmark = pytest.mark.django_db


def test_thread_shows_the_firms_context(support_client, owner_client, firm, connected_account):
    owner_client.post(
        "/help/send/", {"body": "Help please"}, HTTP_HX_CURRENT_URL="http://x/invoices/"
    )
    conversation = Conversation.objects.get()
    html = support_client.get(f"/support/help/{conversation.pk}/").content.decode()
    assert "acct_helpdesk123" in html
    assert 'id="help-account-status">Active<' in html
    assert "<code>/invoices/</code>" in html
    assert 'id="help-audit"' in html or "None." in html
    assert "Disconnect this account" not in html  # only for a disconnect request


def test_html_in_a_message_is_inert_for_support(support_client, firm, owner):
    conversation = make_conversation(firm, owner, body="<b onmouseover=alert(1)>hi</b>")
    html = support_client.get(f"/support/help/{conversation.pk}/").content.decode()
    assert "<b onmouseover" not in html
    assert "&lt;b onmouseover=alert(1)&gt;hi&lt;/b&gt;" in html


def test_reply_reaches_the_firm_and_is_audited(support_client, owner_client, conversation):
    response = support_client.post(
        f"/support/help/{conversation.pk}/reply/", {"body": "We are on it"}
    )
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert conversation.awaiting_support_since is None
    assert conversation.last_support_message_at is not None
    assert "We are on it" in owner_client.get(f"/help/c/{conversation.pk}/thread/").content.decode()
    record = AuditRecord.objects.get(action="helpdesk.support_replied")
    assert record.detail["conversation"] == conversation.pk
    assert record.ip_address == "198.51.100.9"


def test_close_and_reopen_are_audited(support_client, conversation):
    support_client.post(f"/support/help/{conversation.pk}/status/", {"status": "closed"})
    conversation.refresh_from_db()
    assert conversation.status == "closed" and conversation.closed_at
    support_client.post(f"/support/help/{conversation.pk}/status/", {"status": "open"})
    conversation.refresh_from_db()
    assert conversation.status == "open" and conversation.closed_at is None
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"helpdesk.conversation_closed", "helpdesk.conversation_reopened"} <= actions


def test_a_firm_message_reopens_a_closed_conversation(support_client, owner_client, conversation):
    support_client.post(f"/support/help/{conversation.pk}/status/", {"status": "closed"})
    owner_client.post("/help/send/", {"body": "Still broken", "conversation": conversation.pk})
    conversation.refresh_from_db()
    assert conversation.status == "open" and conversation.is_unanswered


@pytest.fixture
def platform_account(stripe_settings, stripe_sandbox, firm, owner):
    firm.plan = "standard"
    firm.save()
    account = payment_account_create(firm=firm, actor=owner)
    stripe_sandbox.control(
        "POST", f"accounts/{account.stripe_account_id}/state", {"state": "verified"}
    )
    return payment_account_refresh(account=account)


def test_disconnect_from_a_disconnect_request(
    support_client, owner_client, firm, owner, platform_account, support_user
):
    owner_client.post(
        "/help/send/",
        {"body": "Please disconnect our Stripe account.", "tag": "stripe_disconnect"},
    )
    conversation = Conversation.objects.get()
    html = support_client.get(f"/support/help/{conversation.pk}/").content.decode()
    assert "Disconnect this account" in html and platform_account.stripe_account_id in html

    support_client.post(f"/support/help/{conversation.pk}/disconnect/")

    platform_account.refresh_from_db()
    assert platform_account.disconnected_at is not None
    assert platform_account.disconnected_by == support_user
    record = AuditRecord.objects.get(action="payments.account_disconnected")
    assert record.detail["support_ticket"] == f"helpdesk:{conversation.pk}"
    assert record.detail["by_support"] is True
    assert f"#{conversation.pk}" in record.detail["reason"]
    assert AuditRecord.objects.filter(
        action="helpdesk.account_disconnected", detail__conversation=conversation.pk
    ).exists()
    told = Message.objects.filter(conversation=conversation, author_side="support").get()
    assert told.changes_account and "we disconnected your Stripe account" in told.body
    html = owner_client.get("/settings/integrations/").content.decode()
    assert 'id="stripe-status">Not connected<' in html


def test_the_firms_page_hears_of_the_disconnect_when_polling(
    support_client, owner_client, firm, platform_account
):
    owner_client.post("/help/send/", {"body": "Disconnect please", "tag": "stripe_disconnect"})
    conversation = Conversation.objects.get()
    seen = conversation.messages.last().pk
    quiet = owner_client.get(f"/help/c/{conversation.pk}/thread/?seen={seen}")
    assert "helpdesk-account-changed" not in quiet["HX-Trigger"]
    support_client.post(f"/support/help/{conversation.pk}/disconnect/")
    polled = owner_client.get(f"/help/c/{conversation.pk}/thread/?seen={seen}")
    assert "helpdesk-account-changed" in polled["HX-Trigger"]
    assert "we disconnected your Stripe account" in polled.content.decode()


def test_disconnect_is_refused_for_other_topics(support_client, firm, owner, platform_account):
    conversation = make_conversation(firm, owner, body="General")
    support_client.post(f"/support/help/{conversation.pk}/disconnect/")
    assert PaymentAccount.objects.get(pk=platform_account.pk).disconnected_at is None


def test_disconnect_without_an_account_says_so(support_client, firm, owner):
    conversation = make_conversation(firm, owner, tag="stripe_disconnect")
    response = support_client.post(f"/support/help/{conversation.pk}/disconnect/", follow=True)
    assert "no connected Stripe account" in response.content.decode()
    assert not Message.objects.filter(author_side="support").exists()
