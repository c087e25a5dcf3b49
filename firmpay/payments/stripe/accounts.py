"""Connected accounts, Account Links, login links and OAuth, through the one client."""

from __future__ import annotations

from firmpay.payments.stripe.client import get_client
from firmpay.payments.stripe.dataclasses import AccountSnapshot
from firmpay.payments.stripe.errors import account_access_checked, translated_errors
from firmpay.payments.stripe.mappers import account_snapshot_from_stripe

# Direct-debit capability requested per country, besides card_payments and transfers.
DEBIT_CAPABILITY_BY_COUNTRY = {
    "US": "us_bank_account_ach_payments",
    "GB": "bacs_debit_payments",
}

# Full Stripe dashboard; Stripe collects fees and carries losses (what type=standard meant).
CONTROLLER = {
    "stripe_dashboard": {"type": "full"},
    "fees": {"payer": "account"},
    "losses": {"payments": "stripe"},
    "requirement_collection": "stripe",
}


def capabilities_for_country(country: str) -> dict:
    names = ["card_payments", "transfers"]
    debit = DEBIT_CAPABILITY_BY_COUNTRY.get(country.upper())
    if debit:
        names.append(debit)
    return {name: {"requested": True} for name in names}


def account_create(
    *, country: str, email: str, business_name: str, idempotency_key: str, metadata: dict
) -> AccountSnapshot:
    params = {
        "controller": CONTROLLER,
        "country": country.upper(),
        "capabilities": capabilities_for_country(country),
        "metadata": metadata,
    }
    if email:
        params["email"] = email
    if business_name:
        params["business_profile"] = {"name": business_name}
    with translated_errors("account create"):
        account = get_client().v1.accounts.create(
            params=params, options={"idempotency_key": idempotency_key}
        )
    return account_snapshot_from_stripe(account.to_dict())


# Answers to retrieving a connected account that mean Firmpay lost access to it.
ACCESS_LOST_CODES = frozenset({"account_invalid", "resource_missing"})


def account_retrieve(account_id: str) -> AccountSnapshot:
    """Raises AccountAccessLost when Stripe says the account is gone or not ours any more."""
    with account_access_checked("account retrieve", lost_codes=ACCESS_LOST_CODES):
        account = get_client().v1.accounts.retrieve(account_id)
    return account_snapshot_from_stripe(account.to_dict())


def account_onboarding_link(*, account_id: str, return_url: str, refresh_url: str) -> str:
    """A fresh, single-use `account_onboarding` link (also "Continue setup": full-dashboard
    accounts cannot use `account_update` links)."""
    with translated_errors("account link"):
        link = get_client().v1.account_links.create(
            params={
                "account": account_id,
                "type": "account_onboarding",
                "return_url": return_url,
                "refresh_url": refresh_url,
            }
        )
    return link.url


def account_login_link(account_id: str) -> str:
    """Express-dashboard accounts only."""
    with translated_errors("login link"):
        link = get_client().v1.accounts.login_links.create(account_id)
    return link.url


def oauth_authorize_url(
    *, state: str, redirect_uri: str, email: str = "", business_name: str = "", country: str = ""
) -> str:
    params: dict = {
        "response_type": "code",
        "scope": "read_write",
        "state": state,
        "redirect_uri": redirect_uri,
    }
    stripe_user = {
        key: value
        for key, value in (("email", email), ("business_name", business_name), ("country", country))
        if value
    }
    if stripe_user:
        params["stripe_user"] = stripe_user
    return get_client().oauth.authorize_url(params=params)


def oauth_token(code: str) -> str:
    """Exchange an authorization code; returns the connected account id.
    Raises OAuthCodeInvalid for a bad, used or expired code."""
    with translated_errors("oauth token"):
        token = get_client().oauth.token(params={"grant_type": "authorization_code", "code": code})
    return token.stripe_user_id


def oauth_deauthorize(account_id: str) -> None:
    with translated_errors("oauth deauthorize"):
        get_client().oauth.deauthorize(params={"stripe_user_id": account_id})
