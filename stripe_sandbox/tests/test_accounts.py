"""Connected accounts: create, retrieve, update, list, delete, capabilities, login links."""

from __future__ import annotations

import pytest
import stripe

FULL_DASHBOARD = {
    "stripe_dashboard": {"type": "full"},
    "fees": {"payer": "account"},
    "losses": {"payments": "stripe"},
    "requirement_collection": "stripe",
}


def create_account(client, **extra):
    params = {
        "controller": FULL_DASHBOARD,
        "country": "US",
        "email": "owner@firm.example",
        "capabilities": {
            "card_payments": {"requested": True},
            "transfers": {"requested": True},
            "us_bank_account_ach_payments": {"requested": True},
        },
    }
    params.update(extra)
    return client.v1.accounts.create(params=params)


def test_new_account_lists_everything_as_due(stripe_client):
    account = create_account(stripe_client)
    assert account.id.startswith("acct_")
    assert account.controller.stripe_dashboard.type == "full"
    assert account.type == "standard"
    assert not account.charges_enabled and not account.payouts_enabled
    assert not account.details_submitted
    assert "external_account" in account.requirements.currently_due
    assert account.requirements.disabled_reason == "requirements.past_due"
    assert account.capabilities.to_dict() == {
        "card_payments": "inactive",
        "transfers": "inactive",
        "us_bank_account_ach_payments": "inactive",
    }


def test_retrieve_update_list_and_delete(stripe_client):
    account = create_account(stripe_client)
    assert stripe_client.v1.accounts.retrieve(account.id).email == "owner@firm.example"
    updated = stripe_client.v1.accounts.update(
        account.id, params={"metadata": {"firm": "42"}, "business_profile": {"name": "Ledger & Co"}}
    )
    assert updated.metadata.to_dict() == {"firm": "42"}
    assert updated.business_profile.name == "Ledger & Co"
    assert [a.id for a in stripe_client.v1.accounts.list().data] == [account.id]
    deleted = stripe_client.v1.accounts.delete(account.id)
    assert deleted.deleted is True
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.accounts.retrieve(account.id)
    assert caught.value.code == "resource_missing"


def test_current_account_is_the_platform_or_the_connected_one(stripe_client):
    account = create_account(stripe_client)
    assert stripe_client.v1.accounts.retrieve_current().id == "acct_1SandboxPlatform00"
    mine = stripe_client.v1.accounts.retrieve_current(options={"stripe_account": account.id})
    assert mine.id == account.id


def test_type_standard_still_accepted(stripe_client):
    account = stripe_client.v1.accounts.create(
        params={
            "type": "standard",
            "country": "GB",
            "capabilities": {"bacs_debit_payments": {"requested": True}},
        }
    )
    assert account.controller.stripe_dashboard.type == "full"
    assert account.default_currency == "gbp"


def test_ach_capability_is_us_only(stripe_client):
    with pytest.raises(stripe.InvalidRequestError, match="not available for accounts in GB"):
        stripe_client.v1.accounts.create(
            params={
                "country": "GB",
                "capabilities": {"us_bank_account_ach_payments": {"requested": True}},
            }
        )


def test_capabilities_list_and_retrieve(stripe_client):
    account = create_account(stripe_client)
    caps = stripe_client.v1.accounts.capabilities.list(account.id)
    assert sorted(c.id for c in caps.data) == [
        "card_payments",
        "transfers",
        "us_bank_account_ach_payments",
    ]
    card = stripe_client.v1.accounts.capabilities.retrieve(account.id, "card_payments")
    assert card.object == "capability" and card.status == "inactive" and card.requested


def test_login_links_only_for_express_accounts(stripe_client):
    full = create_account(stripe_client)
    with pytest.raises(stripe.InvalidRequestError, match="Express"):
        stripe_client.v1.accounts.login_links.create(full.id)
    express = stripe_client.v1.accounts.create(
        params={
            "controller": {
                "stripe_dashboard": {"type": "express"},
                "fees": {"payer": "application"},
                "losses": {"payments": "application"},
            }
        }
    )
    link = stripe_client.v1.accounts.login_links.create(express.id)
    assert link.object == "login_link" and link.url.startswith("http://127.0.0.1")


def test_account_update_link_refused_for_full_dashboard(stripe_client):
    account = create_account(stripe_client)
    with pytest.raises(stripe.InvalidRequestError, match="account_onboarding"):
        stripe_client.v1.account_links.create(
            params={
                "account": account.id,
                "type": "account_update",
                "refresh_url": "http://localhost/r",
                "return_url": "http://localhost/x",
            }
        )


def test_external_accounts_list_and_create(stripe_client):
    account = create_account(stripe_client)
    assert stripe_client.v1.accounts.external_accounts.list(account.id).data == []
    bank = stripe_client.v1.accounts.external_accounts.create(
        account.id,
        params={
            "external_account": {
                "object": "bank_account",
                "country": "US",
                "currency": "usd",
                "routing_number": "110000000",
                "account_number": "000999888777",
            }
        },
    )
    assert bank.id.startswith("ba_") and bank.last4 == "8777"
    listed = stripe_client.v1.accounts.external_accounts.list(account.id).data
    assert [b.id for b in listed] == [bank.id]
    again = stripe_client.v1.accounts.retrieve(account.id)
    assert "external_account" not in again.requirements.currently_due
    events = stripe_client.v1.events.list(
        params={"type": "account.external_account.created"},
        options={"stripe_account": account.id},
    )
    assert [e.data.object.id for e in events.data] == [bank.id]
