"""Connecting an existing account through OAuth from the card, and disconnecting it."""

import uuid
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from firmpay.core.models import AuditRecord
from firmpay.integrations.tests.conftest import client_for
from firmpay.payments.models import OAuthState, PaymentAccount
from firmpay.payments.services import payment_account_create

pytestmark = pytest.mark.usefixtures("stripe_settings")

INDEX = "/settings/integrations/"
CALLBACK = "http://testserver/settings/integrations/stripe/oauth/callback/"


@pytest.fixture
def existing_email(stripe_sandbox):
    email = f"{uuid.uuid4().hex[:8]}@existing.test"
    stripe_sandbox.control(
        "POST", "accounts", {"email": email, "business_name": "Existing Ltd", "state": "verified"}
    )
    return email


def consent(authorize_url: str, *, email: str, approve: bool = True) -> str:
    """Sign in on the sandbox's consent page and answer; returns the callback path + query."""
    with httpx.Client(follow_redirects=True, timeout=10) as browser:
        page = browser.get(authorize_url)
        base = f"{page.url.scheme}://{page.url.host}:{page.url.port}{page.url.path}"
        browser.post(base + "/signin", data={"email": email})
        answer = browser.post(
            base + "/decide",
            data={"action": "approve" if approve else "deny"},
            follow_redirects=False,
        )
    location = answer.headers["location"]
    assert location.startswith(CALLBACK)
    return location.removeprefix("http://testserver")


def start(client) -> str:
    response = client.post(INDEX + "stripe/oauth/start/")
    assert response.status_code == 302
    return response["Location"]


def test_start_sends_the_owner_to_stripe_with_a_state(owner_client, stripe_sandbox):
    location = start(owner_client)
    query = parse_qs(urlparse(location).query)
    assert location.startswith(stripe_sandbox.base_url + "/oauth/authorize")
    assert query["redirect_uri"] == [CALLBACK] and query["scope"] == ["read_write"]
    assert OAuthState.objects.count() == 1


def test_approved_connection_shows_an_active_card(firm, owner_client, existing_email):
    callback = consent(start(owner_client), email=existing_email)
    page = owner_client.get(callback, follow=True).content.decode()
    assert "Your Stripe account is connected." in page
    assert 'id="stripe-status">Active' in page and 'id="stripe-payouts">Active' in page
    account = PaymentAccount.objects.get(firm=firm)
    assert account.created_via == "oauth"
    connected = AuditRecord.objects.get(firm=firm, action="payments.account_connected")
    assert connected.ip_address == "203.0.113.7"


def test_denied_connection_leaves_the_card_unchanged(firm, owner_client, existing_email):
    callback = consent(start(owner_client), email=existing_email, approve=False)
    page = owner_client.get(callback, follow=True).content.decode()
    assert "You cancelled connecting Stripe. Nothing was changed." in page
    assert 'id="stripe-status">Not connected' in page
    assert not PaymentAccount.objects.filter(firm=firm).exists()


def test_a_replayed_callback_is_refused(firm, owner_client, existing_email):
    callback = consent(start(owner_client), email=existing_email)
    owner_client.get(callback)
    PaymentAccount.objects.filter(firm=firm).delete()
    page = owner_client.get(callback, follow=True).content.decode()
    assert "invalid, expired or was already used" in page
    assert not PaymentAccount.objects.filter(firm=firm).exists()


def test_a_forged_state_is_refused_and_nothing_stored(firm, owner_client):
    page = owner_client.get(INDEX + "stripe/oauth/callback/?state=forged&code=ac_x", follow=True)
    assert "invalid, expired or was already used" in page.content.decode()
    assert not PaymentAccount.objects.filter(firm=firm).exists()


def test_another_users_state_is_refused(firm, owner_client, admin_client, existing_email):
    callback = consent(start(owner_client), email=existing_email)
    page = admin_client.get(callback, follow=True).content.decode()
    assert "invalid, expired or was already used" in page
    assert not PaymentAccount.objects.filter(firm=firm).exists()


def test_another_firms_state_is_refused(firm, make_firm, owner_client, existing_email):
    callback = consent(start(owner_client), email=existing_email)
    other = make_firm()
    client_for(other.owner).get(callback)
    assert not PaymentAccount.objects.exists()


def test_an_invalid_code_is_refused(firm, owner_client, existing_email):
    callback = consent(start(owner_client), email=existing_email)
    query = parse_qs(urlparse(callback).query)
    forged = f"/settings/integrations/stripe/oauth/callback/?state={query['state'][0]}&code=ac_bad"
    page = owner_client.get(forged, follow=True).content.decode()
    assert "Stripe did not accept the authorization" in page
    assert not PaymentAccount.objects.filter(firm=firm).exists()


def test_an_account_connected_to_another_firm_is_refused(make_firm, existing_email):
    first, second = make_firm(), make_firm()
    first_client, second_client = client_for(first.owner), client_for(second.owner)
    first_client.get(consent(start(first_client), email=existing_email))
    page = second_client.get(consent(start(second_client), email=existing_email), follow=True)
    assert "already connected to another Firmpay firm" in page.content.decode()
    assert not PaymentAccount.objects.filter(firm=second).exists()
    assert PaymentAccount.objects.get(firm=first).disconnected_at is None


def test_disconnect_menu_offers_disconnect_for_an_oauth_account(firm, owner_client, existing_email):
    owner_client.get(consent(start(owner_client), email=existing_email))
    page = owner_client.get(INDEX).content.decode()
    assert "Disconnect…</a>" in page
    confirm = owner_client.get(INDEX + "stripe/disconnect/").content.decode()
    assert "Disconnect Stripe</button>" in confirm


def test_disconnect_deauthorizes_and_shows_not_connected(
    firm, owner_client, existing_email, stripe_client
):
    owner_client.get(consent(start(owner_client), email=existing_email))
    account = PaymentAccount.objects.get(firm=firm)
    page = owner_client.post(INDEX + "stripe/disconnect/", follow=True).content.decode()
    assert 'id="stripe-status">Not connected' in page
    assert "Stripe is disconnected" in page
    account.refresh_from_db()
    assert account.disconnected_at is not None
    record = AuditRecord.objects.get(firm=firm, action="payments.account_disconnected")
    assert record.ip_address == "203.0.113.7" and record.actor == firm.owner


def test_a_firm_cannot_disconnect_a_platform_created_account(firm, owner_client):
    account = payment_account_create(firm=firm, actor=firm.owner)
    page = owner_client.get(INDEX).content.decode()
    assert "Disconnect…</a>" not in page
    assert "Firmpay support disconnects it" in page
    response = owner_client.post(INDEX + "stripe/disconnect/", follow=True)
    assert "Contact support to disconnect it." in response.content.decode()
    account.refresh_from_db()
    assert account.disconnected_at is None


def test_an_oauth_account_needing_information_points_to_the_stripe_dashboard(
    firm, owner_client, stripe_sandbox, existing_email
):
    owner_client.get(consent(start(owner_client), email=existing_email))
    account = PaymentAccount.objects.get(firm=firm)
    stripe_sandbox.control(
        "POST",
        f"accounts/{account.stripe_account_id}/state",
        {"state": "requirements_due", "requirements": ["company.tax_id"], "deadline_in_days": 3},
    )
    owner_client.post(INDEX + "stripe/check/")
    page = owner_client.get(INDEX).content.decode()
    assert 'id="stripe-status">Action required' in page
    assert "Open the Stripe dashboard</a>" in page and "Continue setup</a>" not in page
