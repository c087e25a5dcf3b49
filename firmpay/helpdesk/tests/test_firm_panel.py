"""The firm side: the Help panel, sending, starting points, captured context, inert HTML."""

from __future__ import annotations

import pytest

from firmpay.helpdesk.models import Conversation, Message, Tag

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def test_help_button_is_on_every_firm_page(owner_client):
    for path in ("/invoices/", "/clients/", "/settings/integrations/"):
        html = owner_client.get(path).content.decode()
        assert 'id="help-button"' in html, path
        assert 'hx-get="/help/"' in html


def test_no_help_button_without_a_firm(client):
    assert 'id="help-button"' not in client.get("/login/").content.decode()


def test_member_writes_and_sees_the_message_in_the_panel(owner_client, firm, owner):
    response = owner_client.post("/help/send/", {"body": "Our payout is late"}, **HX)
    assert response.status_code == 200
    conversation = Conversation.objects.get(firm=firm)
    assert conversation.tag == Tag.GENERAL and conversation.is_unanswered
    html = response.content.decode()
    assert "Our payout is late" in html and 'id="help-thread"' in html
    assert 'hx-trigger="every 5s"' in html
    message = Message.objects.get(conversation=conversation)
    assert message.author == owner and message.author_side == "firm"


def test_a_second_message_goes_into_the_same_conversation(owner_client, conversation):
    owner_client.post("/help/send/", {"body": "Any news?", "conversation": conversation.pk})
    assert conversation.messages.count() == 2
    assert Conversation.objects.count() == 1


def test_empty_message_changes_nothing(owner_client):
    response = owner_client.post("/help/send/", {"body": "   "}, **HX)
    assert "Write a message first." in response.content.decode()
    assert not Conversation.objects.exists()


def test_too_long_message_is_refused(owner_client):
    response = owner_client.post("/help/send/", {"body": "x" * 5001}, **HX)
    assert "under 5000 characters" in response.content.decode()
    assert not Message.objects.exists()


def test_context_is_captured_from_the_request(member_client, member, firm, connected_account):
    member_client.post(
        "/help/send/",
        {"body": "Hi", "firm_name": "typed-in lies"},
        HTTP_HX_CURRENT_URL="http://127.0.0.1:8000/invoices/42/?tab=x",
        **HX,
    )
    context = Message.objects.get().context
    assert context == {
        "firm_id": firm.pk,
        "firm_name": firm.name,
        "member_email": member.email,
        "member_role": "staff",
        "page_path": "/invoices/42/",
        "payment_account_id": "acct_helpdesk123",
        "payment_account_status": "active",
        "payment_account_created_via": "platform",
        "plan": firm.plan,
    }


def test_context_without_a_payment_account_says_not_connected(owner_client):
    owner_client.post("/help/send/", {"body": "Hi"})
    context = Message.objects.get().context
    assert context["payment_account_id"] == ""
    assert context["payment_account_status"] == "not_connected"
    assert context["page_path"] == "/help/send/"


def test_disconnect_starting_point_prefills_and_tags(owner_client, firm, connected_account):
    response = owner_client.get("/help/?topic=stripe_disconnect", **HX)
    html = response.content.decode()
    assert "Please disconnect our Stripe account acct_helpdesk123 from Firmpay." in html
    assert 'name="tag" value="stripe_disconnect"' in html
    owner_client.post(
        "/help/send/",
        {
            "body": "Please disconnect our Stripe account acct_helpdesk123. Closing.",
            "tag": "stripe_disconnect",
        },
        **HX,
    )
    conversation = Conversation.objects.get(firm=firm)
    assert conversation.tag == Tag.STRIPE_DISCONNECT
    assert conversation.subject == "Stripe disconnect"


def test_setup_starting_point_names_what_stripe_asks_for(owner_client, connected_account):
    connected_account.snapshot = {
        "id": "acct_helpdesk123",
        "details_submitted": True,
        "requirements": {"currently_due": ["company.tax_id"]},
    }
    connected_account.save()
    html = owner_client.get("/help/?topic=stripe_setup", **HX).content.decode()
    assert "I need help finishing our Stripe setup." in html
    assert 'value="stripe_setup"' in html


def test_unknown_topic_is_a_general_conversation(owner_client, firm):
    owner_client.post("/help/send/", {"body": "Hi", "tag": "<script>"})
    assert Conversation.objects.get(firm=firm).tag == Tag.GENERAL


def test_html_in_a_message_is_shown_inert_to_the_firm(owner_client):
    body = '<script>alert(1)</script>\n<img src=x onerror="alert(2)">'
    html = owner_client.post("/help/send/", {"body": body}, **HX).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>&lt;img src=x" in html


def test_without_htmx_the_panel_is_a_whole_page(owner_client, conversation):
    response = owner_client.get(f"/help/?conversation={conversation.pk}")
    html = response.content.decode()
    assert "<html" in html and "Where is my payout?" in html


def test_close_empties_the_slot(owner_client):
    assert owner_client.get("/help/close/", **HX).content == b""
