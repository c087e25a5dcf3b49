"""OAuth: authorize page, token exchange, single-use codes, deauthorize."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
import stripe

from stripe_sandbox.tests.helpers import fetch

REDIRECT = "http://127.0.0.1:9/integrations/stripe/callback"


def authorize_url(client, **extra):
    return client.oauth.authorize_url(
        params={"scope": "read_write", "state": "st4te", "redirect_uri": REDIRECT, **extra}
    )


def approve_as_new_account(base_url, url, email="firm@example.com"):
    pending = fetch(url).location
    rid = pending.rsplit("/", 1)[1]
    created = fetch(
        f"{base_url}/oauth/authorize/{rid}/create",
        {"email": email, "business_name": "Existing Firm", "country": "US", "state": "verified"},
    )
    assert created.location == pending
    assert "Connect my Stripe account" in fetch(pending).text
    return fetch(f"{base_url}/oauth/authorize/{rid}/decide", {"action": "approve"}).location


def query(url):
    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}


def test_authorize_url_points_at_the_sandbox(stripe_sandbox, stripe_client):
    url = authorize_url(stripe_client)
    assert url.startswith(stripe_sandbox.base_url + "/oauth/authorize?")
    assert query(url)["client_id"] == stripe_sandbox.client_id


def test_round_trip_connects_an_existing_account(stripe_sandbox, stripe_client):
    back = approve_as_new_account(stripe_sandbox.base_url, authorize_url(stripe_client))
    params = query(back)
    assert (
        back.startswith(REDIRECT)
        and params["state"] == "st4te"
        and params["code"].startswith("ac_")
    )
    token = stripe_client.oauth.token(
        params={"grant_type": "authorization_code", "code": params["code"]}
    )
    assert token.stripe_user_id.startswith("acct_") and token.scope == "read_write"
    account = stripe_client.v1.accounts.retrieve(token.stripe_user_id)
    assert account.charges_enabled and account.controller.type == "account"
    # The access token acts on the connected account only.
    own = stripe_sandbox.client(api_key=token.access_token)
    assert own.v1.accounts.retrieve_current().id == token.stripe_user_id


def test_a_reused_code_is_an_invalid_grant(stripe_sandbox, stripe_client):
    code = query(approve_as_new_account(stripe_sandbox.base_url, authorize_url(stripe_client)))[
        "code"
    ]
    first = stripe_client.oauth.token(params={"grant_type": "authorization_code", "code": code})
    with pytest.raises(stripe.oauth_error.InvalidGrantError):
        stripe_client.oauth.token(params={"grant_type": "authorization_code", "code": code})
    with pytest.raises(stripe.AuthenticationError):
        stripe_sandbox.client(api_key=first.access_token).v1.accounts.retrieve_current()


def test_an_unknown_code_is_an_invalid_grant(stripe_client):
    with pytest.raises(stripe.oauth_error.InvalidGrantError):
        stripe_client.oauth.token(params={"grant_type": "authorization_code", "code": "ac_nope"})


def test_deny_redirects_with_access_denied(stripe_sandbox, stripe_client):
    pending = fetch(authorize_url(stripe_client)).location
    rid = pending.rsplit("/", 1)[1]
    back = fetch(
        f"{stripe_sandbox.base_url}/oauth/authorize/{rid}/decide", {"action": "deny"}
    ).location
    params = query(back)
    assert params["error"] == "access_denied" and params["state"] == "st4te"
    assert params["error_description"]


def test_sign_in_with_an_existing_sandbox_account(stripe_sandbox, stripe_client):
    existing = stripe_sandbox.control(
        "POST", "accounts", {"email": "known@firm.example", "business_name": "Known"}
    )
    pending = fetch(
        authorize_url(stripe_client, stripe_user={"email": "known@firm.example"})
    ).location
    rid = pending.rsplit("/", 1)[1]
    assert 'value="known@firm.example"' in fetch(pending).text
    fetch(
        f"{stripe_sandbox.base_url}/oauth/authorize/{rid}/signin", {"email": "known@firm.example"}
    )
    code = query(
        fetch(
            f"{stripe_sandbox.base_url}/oauth/authorize/{rid}/decide", {"action": "approve"}
        ).location
    )["code"]
    token = stripe_client.oauth.token(params={"grant_type": "authorization_code", "code": code})
    assert token.stripe_user_id == existing["id"]


def test_deauthorize_disconnects_and_emits_an_event(stripe_sandbox, stripe_client):
    code = query(approve_as_new_account(stripe_sandbox.base_url, authorize_url(stripe_client)))[
        "code"
    ]
    acct = stripe_client.oauth.token(
        params={"grant_type": "authorization_code", "code": code}
    ).stripe_user_id
    result = stripe_client.oauth.deauthorize(params={"stripe_user_id": acct})
    assert result.stripe_user_id == acct
    with pytest.raises(stripe.PermissionError):
        stripe_client.v1.accounts.retrieve_current(options={"stripe_account": acct})
    events = stripe_client.v1.events.list(params={"type": "account.application.deauthorized"})
    assert [e.account for e in events.data] == [acct]
    assert events.data[0].data.object.id == stripe_sandbox.client_id
    with pytest.raises(stripe.oauth_error.InvalidClientError):
        stripe_client.oauth.deauthorize(params={"stripe_user_id": acct})


def test_oauth_connected_account_gets_onboarding_links_but_no_login_link(
    stripe_sandbox, stripe_client
):
    back = approve_as_new_account(stripe_sandbox.base_url, authorize_url(stripe_client))
    acct = stripe_client.oauth.token(
        params={"grant_type": "authorization_code", "code": query(back)["code"]}
    ).stripe_user_id
    link = stripe_client.v1.account_links.create(
        params={
            "account": acct,
            "type": "account_onboarding",
            "refresh_url": "http://127.0.0.1:9/r",
            "return_url": "http://127.0.0.1:9/x",
        }
    )
    assert link.url.startswith(stripe_sandbox.base_url)
    with pytest.raises(stripe.InvalidRequestError, match="Express"):
        stripe_client.v1.accounts.login_links.create(acct)
