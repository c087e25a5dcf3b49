"""Control calls put an account into each state the integration card shows."""

from __future__ import annotations

from stripe_sandbox.tests.test_accounts import create_account


def verified_account(sandbox, client):
    account = create_account(client)
    sandbox.control("POST", f"accounts/{account.id}/state", {"state": "verified"})
    return account.id


def state(sandbox, client, acct, **body):
    sandbox.control("POST", f"accounts/{acct}/state", body)
    return client.v1.accounts.retrieve(acct)


def test_verified_account_is_fully_enabled(stripe_sandbox, stripe_client):
    account = stripe_client.v1.accounts.retrieve(verified_account(stripe_sandbox, stripe_client))
    assert account.charges_enabled and account.payouts_enabled and account.details_submitted
    assert account.requirements.currently_due == [] and account.requirements.disabled_reason is None


def test_requirements_due_keep_charging_until_the_deadline(stripe_sandbox, stripe_client):
    acct = verified_account(stripe_sandbox, stripe_client)
    due = state(
        stripe_sandbox,
        stripe_client,
        acct,
        state="requirements_due",
        requirements=["company.verification.additional_document"],
        deadline_in_days=3,
    )
    assert due.charges_enabled
    assert due.requirements.currently_due == ["company.verification.additional_document"]
    assert due.requirements.past_due == []
    assert due.requirements.current_deadline > stripe_sandbox.control("GET", "clock")["now"]
    stripe_sandbox.advance(days=3, seconds=1)
    late = stripe_client.v1.accounts.retrieve(acct)
    assert not late.charges_enabled and not late.payouts_enabled
    assert late.requirements.past_due == ["company.verification.additional_document"]
    assert late.requirements.disabled_reason == "requirements.past_due"
    assert late.capabilities.card_payments == "inactive"


def test_past_due_disables_at_once(stripe_sandbox, stripe_client):
    acct = verified_account(stripe_sandbox, stripe_client)
    late = state(
        stripe_sandbox, stripe_client, acct, state="past_due", requirements=["company.tax_id"]
    )
    assert late.requirements.disabled_reason == "requirements.past_due" and not late.charges_enabled


def test_rejected_account(stripe_sandbox, stripe_client):
    acct = verified_account(stripe_sandbox, stripe_client)
    rejected = state(stripe_sandbox, stripe_client, acct, state="rejected", reason="fraud")
    assert rejected.requirements.disabled_reason == "rejected.fraud"
    assert not rejected.charges_enabled and rejected.capabilities.card_payments == "inactive"


def test_payouts_disabled_keeps_charges(stripe_sandbox, stripe_client):
    acct = verified_account(stripe_sandbox, stripe_client)
    paused = state(stripe_sandbox, stripe_client, acct, state="payouts_disabled")
    assert paused.charges_enabled and not paused.payouts_enabled


def test_one_capability_inactive(stripe_sandbox, stripe_client):
    acct = verified_account(stripe_sandbox, stripe_client)
    account = state(
        stripe_sandbox,
        stripe_client,
        acct,
        state="capability",
        capability="us_bank_account_ach_payments",
        status="inactive",
    )
    assert account.capabilities.us_bank_account_ach_payments == "inactive"
    assert account.capabilities.card_payments == "active" and account.charges_enabled
    events = stripe_client.v1.events.list(
        params={"type": "capability.updated"}, options={"stripe_account": acct}
    )
    assert events.data[0].data.object.id == "us_bank_account_ach_payments"
    assert events.data[0].data.previous_attributes.status == "active"


def test_eventually_due_and_future_requirements_stay_enabled(stripe_sandbox, stripe_client):
    acct = verified_account(stripe_sandbox, stripe_client)
    account = state(
        stripe_sandbox,
        stripe_client,
        acct,
        state="eventually_due",
        requirements=["company.owners_provided"],
    )
    assert account.charges_enabled and account.requirements.eventually_due == [
        "company.owners_provided"
    ]
    account = state(
        stripe_sandbox,
        stripe_client,
        acct,
        state="future_requirements",
        requirements=["company.directors_provided"],
        deadline=2_000_000_000,
    )
    assert account.future_requirements.eventually_due == ["company.directors_provided"]
    assert account.future_requirements.current_deadline == 2_000_000_000


def test_verification_failed_lists_an_error(stripe_sandbox, stripe_client):
    acct = verified_account(stripe_sandbox, stripe_client)
    account = state(stripe_sandbox, stripe_client, acct, state="verification_failed")
    assert account.requirements.errors[0].requirement == "company.verification.document"
    assert "company.verification.document" in account.requirements.currently_due


def test_fresh_link_clears_control_added_requirements(stripe_sandbox, stripe_client):
    from stripe_sandbox.tests.helpers import fetch, form_action

    acct = verified_account(stripe_sandbox, stripe_client)
    state(
        stripe_sandbox,
        stripe_client,
        acct,
        state="requirements_due",
        requirements=["company.owners_provided"],
    )
    link = stripe_client.v1.account_links.create(
        params={
            "account": acct,
            "type": "account_onboarding",
            "refresh_url": "http://127.0.0.1:9/r",
            "return_url": "http://127.0.0.1:9/x",
        }
    )
    page = fetch(fetch(link.url).location)
    assert "Additional information" in page.text
    done = fetch(
        stripe_sandbox.base_url + form_action(page.text),
        {"req_company.owners_provided": "yes", "action": "continue"},
    )
    assert done.status == 302
    assert stripe_client.v1.accounts.retrieve(acct).requirements.currently_due == []


def test_pending_verification_then_verify(stripe_sandbox, stripe_client):
    acct = create_account(stripe_client).id
    pending = state(stripe_sandbox, stripe_client, acct, state="pending_verification")
    assert pending.requirements.disabled_reason == "requirements.pending_verification"
    assert pending.capabilities.card_payments == "pending"
    stripe_sandbox.control("POST", f"accounts/{acct}/verify")
    assert stripe_client.v1.accounts.retrieve(acct).charges_enabled
