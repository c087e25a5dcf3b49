"""Account links and the hosted onboarding: requirements clear step by step."""

from __future__ import annotations

from stripe_sandbox.tests.helpers import BUSINESS, fetch, form_action, onboard
from stripe_sandbox.tests.test_accounts import create_account

RETURN = "http://127.0.0.1:9/return"
REFRESH = "http://127.0.0.1:9/refresh"


def new_link(client, account_id):
    return client.v1.account_links.create(
        params={
            "account": account_id,
            "type": "account_onboarding",
            "refresh_url": REFRESH,
            "return_url": RETURN,
        }
    )


def test_link_expires_in_five_minutes(stripe_client):
    account = create_account(stripe_client)
    link = new_link(stripe_client, account.id)
    assert link.object == "account_link"
    assert link.expires_at - link.created == 300


def test_onboarding_then_verification_enables_the_account(stripe_sandbox, stripe_client):
    account = create_account(stripe_client)
    done = onboard(stripe_sandbox.base_url, new_link(stripe_client, account.id).url)
    assert done.location == RETURN
    submitted = stripe_client.v1.accounts.retrieve(account.id)
    assert submitted.details_submitted
    assert submitted.requirements.currently_due == []
    assert submitted.requirements.pending_verification == [
        "company.tax_id",
        "company.verification.document",
    ]
    assert submitted.requirements.disabled_reason == "requirements.pending_verification"
    assert submitted.capabilities.card_payments == "pending"
    assert not submitted.charges_enabled

    stripe_sandbox.control("POST", f"accounts/{account.id}/verify")
    enabled = stripe_client.v1.accounts.retrieve(account.id)
    assert enabled.charges_enabled and enabled.payouts_enabled
    assert enabled.requirements.disabled_reason is None
    assert enabled.requirements.pending_verification == []
    assert enabled.capabilities.to_dict() == {
        "card_payments": "active",
        "transfers": "active",
        "us_bank_account_ach_payments": "active",
    }
    assert enabled.external_accounts.data[0].last4 == "6789"


def test_verification_finishes_after_the_configured_delay(stripe_sandbox, stripe_client):
    stripe_sandbox.control("POST", "config", {"verification_delay": 3600})
    account = create_account(stripe_client)
    onboard(stripe_sandbox.base_url, new_link(stripe_client, account.id).url)
    assert not stripe_client.v1.accounts.retrieve(account.id).charges_enabled
    stripe_sandbox.advance(hours=1)
    assert stripe_client.v1.accounts.retrieve(account.id).charges_enabled


def test_save_and_exit_leaves_the_account_incomplete(stripe_sandbox, stripe_client):
    account = create_account(stripe_client)
    left = onboard(
        stripe_sandbox.base_url, new_link(stripe_client, account.id).url, stop_after="document"
    )
    assert left.location == RETURN
    partial = stripe_client.v1.accounts.retrieve(account.id)
    assert not partial.details_submitted
    assert "company.name" not in partial.requirements.currently_due
    assert "company.verification.document" not in partial.requirements.currently_due
    assert "external_account" in partial.requirements.currently_due
    # A fresh link resumes at the first open step and finishes.
    page = fetch(fetch(new_link(stripe_client, account.id).url).location)
    assert "Payout bank account</h1>" in page.text


def test_a_spent_link_sends_the_browser_to_refresh_url(stripe_client):
    account = create_account(stripe_client)
    link = new_link(stripe_client, account.id)
    assert fetch(link.url).status == 302
    again = fetch(link.url)
    assert again.status == 302 and again.location == REFRESH


def test_an_expired_link_sends_the_browser_to_refresh_url(stripe_sandbox, stripe_client):
    account = create_account(stripe_client)
    link = new_link(stripe_client, account.id)
    stripe_sandbox.advance(minutes=6)
    assert fetch(link.url).location == REFRESH


def test_an_invalid_step_shows_errors_and_changes_nothing(stripe_sandbox, stripe_client):
    account = create_account(stripe_client)
    session = fetch(new_link(stripe_client, account.id).url).location
    sid = session.rsplit("/", 1)[1]
    bad = fetch(
        f"{stripe_sandbox.base_url}/setup/session/{sid}/bank",
        {"routing_number": "12", "account_number": "1", "action": "continue"},
    )
    assert bad.status == 400 and "routing number" in bad.text
    assert (
        "external_account"
        in stripe_client.v1.accounts.retrieve(account.id).requirements.currently_due
    )


def test_uk_onboarding_asks_for_a_sort_code(stripe_sandbox, stripe_client):
    from stripe_sandbox.tests.helpers import BUSINESS, form_action

    account = stripe_client.v1.accounts.create(
        params={"country": "GB", "capabilities": {"bacs_debit_payments": {"requested": True}}}
    )
    page = fetch(fetch(new_link(stripe_client, account.id).url).location)
    base = stripe_sandbox.base_url
    page = fetch(fetch(base + form_action(page.text), BUSINESS).location)
    files = {"document": ("companies-house.pdf", b"%PDF")}
    page = fetch(fetch(base + form_action(page.text), {"action": "continue"}, files).location)
    assert "Sort code" in page.text
    bank = {"sort_code": "108800", "account_number": "00012345", "action": "continue"}
    page = fetch(fetch(base + form_action(page.text), bank).location)
    fetch(base + form_action(page.text), {"tos": "accepted", "action": "continue"})
    stripe_sandbox.control("POST", f"accounts/{account.id}/verify")
    done = stripe_client.v1.accounts.retrieve(account.id)
    assert done.charges_enabled and done.capabilities.bacs_debit_payments == "active"
    assert done.external_accounts.data[0].currency == "gbp"


def test_a_past_due_field_of_a_standard_step_clears_when_that_step_is_submitted(
    stripe_sandbox, stripe_client
):
    account = create_account(stripe_client)
    onboard(stripe_sandbox.base_url, new_link(stripe_client, account.id).url)
    stripe_sandbox.control("POST", f"accounts/{account.id}/verify")
    stripe_sandbox.control(
        "POST",
        f"accounts/{account.id}/state",
        {"state": "past_due", "requirements": ["company.tax_id"]},
    )
    assert stripe_client.v1.accounts.retrieve(account.id).requirements.past_due == [
        "company.tax_id"
    ]

    page = fetch(fetch(new_link(stripe_client, account.id).url).location)
    assert form_action(page.text).endswith("/business")
    result = fetch(stripe_sandbox.base_url + form_action(page.text), BUSINESS)
    if result.location != RETURN:  # the review step may ask to confirm again
        page = fetch(result.location)
        result = fetch(
            stripe_sandbox.base_url + form_action(page.text),
            {"tos": "accepted", "action": "continue"},
        )

    assert result.location == RETURN
    fixed = stripe_client.v1.accounts.retrieve(account.id)
    assert fixed.requirements.past_due == []
    assert fixed.requirements.currently_due == []
