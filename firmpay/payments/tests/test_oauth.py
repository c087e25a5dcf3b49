"""Connecting an existing Stripe account through OAuth, against the sandbox's consent page."""

import uuid
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from django.contrib.sessions.backends.db import SessionStore

from firmpay.core.models import AuditRecord
from firmpay.payments.connect.selectors import payment_account_for_firm, payment_card
from firmpay.payments.exceptions import (
    AccountAlreadyConnected,
    AccountConnectedElsewhere,
    OAuthCodeInvalid,
    OAuthDenied,
    OAuthStateInvalid,
)
from firmpay.payments.models import OAuthState, PaymentAccount
from firmpay.payments.services import (
    oauth_complete,
    oauth_start,
    payment_account_create,
    payment_account_disconnect,
)

pytestmark = pytest.mark.usefixtures("stripe_settings")
REDIRECT_URI = "http://testserver/settings/integrations/stripe/callback/"


@pytest.fixture
def session(db):
    store = SessionStore()
    store.save()
    return store


@pytest.fixture
def existing_account(stripe_sandbox):
    """A verified Stripe account that exists outside Firmpay; returns its email."""
    email = f"{uuid.uuid4().hex[:8]}@existing.test"
    stripe_sandbox.control(
        "POST", "accounts", {"email": email, "business_name": "Existing Ltd", "state": "verified"}
    )
    return email


def consent(url: str, *, email: str, approve: bool = True) -> dict:
    """Sign in on the sandbox's consent page and answer; returns the callback's query."""
    with httpx.Client(follow_redirects=True, timeout=10) as browser:
        page = browser.get(url)
        base = f"{page.url.scheme}://{page.url.host}:{page.url.port}{page.url.path}"
        browser.post(base + "/signin", data={"email": email})
        answer = browser.post(
            base + "/decide",
            data={"action": "approve" if approve else "deny"},
            follow_redirects=False,
        )
    location = answer.headers["location"]
    assert location.startswith(REDIRECT_URI)
    query = {key: values[0] for key, values in parse_qs(urlparse(location).query).items()}
    return {key: query[key] for key in ("state", "code", "error") if key in query}


def connect(firm, session, email, **overrides):
    url = oauth_start(firm=firm, user=firm.owner, session=session, redirect_uri=REDIRECT_URI)
    query = consent(url, email=email)
    kwargs = {"firm": firm, "user": firm.owner, "session": session, **query, **overrides}
    return oauth_complete(**kwargs)


def test_authorize_url_asks_for_read_write_with_state(firm, session, stripe_sandbox):
    url = oauth_start(firm=firm, user=firm.owner, session=session, redirect_uri=REDIRECT_URI)
    query = parse_qs(urlparse(url).query)
    assert url.startswith(stripe_sandbox.base_url + "/oauth/authorize")
    assert query["scope"] == ["read_write"] and query["client_id"] == [stripe_sandbox.client_id]
    assert len(query["state"][0]) >= 32
    assert query["stripe_user[email]"] == [firm.email]


def test_connecting_an_existing_account_makes_it_active(firm, session, existing_account):
    account = connect(firm, session, existing_account)
    assert account.created_via == "oauth"
    assert account.status == "active" and account.payouts_status == "active"
    card = payment_card(firm=firm)
    assert card.status.code == "active" and card.firm_can_disconnect
    assert AuditRecord.objects.filter(firm=firm, action="payments.account_connected").exists()


def test_user_who_denies_changes_nothing(firm, session, existing_account):
    url = oauth_start(firm=firm, user=firm.owner, session=session, redirect_uri=REDIRECT_URI)
    query = consent(url, email=existing_account, approve=False)
    assert query["error"] == "access_denied"
    with pytest.raises(OAuthDenied):
        oauth_complete(firm=firm, user=firm.owner, session=session, **query)
    assert not PaymentAccount.objects.filter(firm=firm).exists()


def test_replayed_state_is_refused(firm, session, existing_account):
    url = oauth_start(firm=firm, user=firm.owner, session=session, redirect_uri=REDIRECT_URI)
    query = consent(url, email=existing_account)
    oauth_complete(firm=firm, user=firm.owner, session=session, **query)
    with pytest.raises(OAuthStateInvalid):
        oauth_complete(firm=firm, user=firm.owner, session=session, **query)
    assert PaymentAccount.objects.filter(firm=firm).count() == 1


def test_bad_state_is_refused(firm, session):
    with pytest.raises(OAuthStateInvalid):
        oauth_complete(firm=firm, user=firm.owner, session=session, state="forged", code="ac_x")
    with pytest.raises(OAuthStateInvalid):
        oauth_complete(firm=firm, user=firm.owner, session=session, state="", code="ac_x")


def test_another_firms_state_is_refused(firm, make_firm, session, existing_account):
    other = make_firm()
    url = oauth_start(firm=other, user=other.owner, session=session, redirect_uri=REDIRECT_URI)
    query = consent(url, email=existing_account)
    with pytest.raises(OAuthStateInvalid):
        oauth_complete(firm=firm, user=firm.owner, session=session, **query)
    assert not PaymentAccount.objects.exists()


def test_state_from_another_session_is_refused(firm, session, existing_account):
    url = oauth_start(firm=firm, user=firm.owner, session=session, redirect_uri=REDIRECT_URI)
    query = consent(url, email=existing_account)
    thief = SessionStore()
    thief.save()
    with pytest.raises(OAuthStateInvalid):
        oauth_complete(firm=firm, user=firm.owner, session=thief, **query)


def test_expired_state_is_refused(firm, session, existing_account):
    url = oauth_start(firm=firm, user=firm.owner, session=session, redirect_uri=REDIRECT_URI)
    query = consent(url, email=existing_account)
    OAuthState.objects.update(expires_at="2000-01-01T00:00:00Z")
    with pytest.raises(OAuthStateInvalid):
        oauth_complete(firm=firm, user=firm.owner, session=session, **query)


def test_invalid_code_is_refused(firm, session):
    url = oauth_start(firm=firm, user=firm.owner, session=session, redirect_uri=REDIRECT_URI)
    state = parse_qs(urlparse(url).query)["state"][0]
    with pytest.raises(OAuthCodeInvalid):
        oauth_complete(firm=firm, user=firm.owner, session=session, state=state, code="ac_nope")
    assert not PaymentAccount.objects.filter(firm=firm).exists()


def test_account_already_connected_to_another_firm_is_refused(
    firm, make_firm, session, existing_account
):
    other = make_firm()
    connect(other, session, existing_account)
    with pytest.raises(AccountConnectedElsewhere):
        connect(firm, session, existing_account)
    assert not PaymentAccount.objects.filter(firm=firm).exists()
    assert payment_account_for_firm(firm=other).status == "active"


def test_firm_with_an_account_cannot_connect_a_second(firm, session, existing_account):
    payment_account_create(firm=firm, actor=firm.owner)
    with pytest.raises(AccountAlreadyConnected):
        connect(firm, session, existing_account)


def test_disconnect_deauthorizes_and_allows_connecting_again(
    firm, session, existing_account, stripe_sandbox
):
    account = connect(firm, session, existing_account)
    payment_account_disconnect(account=account, actor=firm.owner)
    assert payment_card(firm=firm).status.code == "not_connected"
    # Stripe no longer lets Firmpay act for the account.
    accounts = stripe_sandbox.control("GET", "accounts")["data"]
    assert not next(a for a in accounts if a["id"] == account.stripe_account_id)["connected"]
    again = connect(firm, session, existing_account)
    assert again.pk != account.pk and again.status == "active"


def test_reconciliation_notices_access_lost_without_an_event(
    firm, session, existing_account, stripe_client
):
    from firmpay.payments.services import stripe_events_reconcile

    account = connect(firm, session, existing_account)
    # Disconnected on Stripe's side; the deauthorized event never reaches Firmpay.
    stripe_client.oauth.deauthorize(params={"stripe_user_id": account.stripe_account_id})
    result = stripe_events_reconcile()
    assert result["access_lost"] == 1
    assert payment_account_for_firm(firm=firm) is None
    # What the deauthorized banner reads (integrations/alerts.py firm_account_alert).
    account.refresh_from_db()
    assert account.deauthorized_at is not None and account.disconnected_at is not None


def test_an_abandoned_create_does_not_block_connecting_an_existing_account(
    firm, session, existing_account
):
    stuck = PaymentAccount.objects.create(firm=firm, created_via="platform")
    PaymentAccount.objects.filter(pk=stuck.pk).update(created_at="2000-01-01T00:00:00Z")
    assert payment_account_for_firm(firm=firm) is None
    assert connect(firm, session, existing_account).status == "active"
