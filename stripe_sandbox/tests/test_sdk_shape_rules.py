"""The shape checker catches each wrong shape the sandbox once answered
with (issue 13), so the walk over every answer means something."""

from __future__ import annotations

import copy

import pytest

from stripe_sandbox.objects import fixtures
from stripe_sandbox.tests.sdk_shapes import problems
from stripe_sandbox.tests.test_accounts import create_account
from stripe_sandbox.tests.test_payments_helpers import checkout, firm_account, pay


@pytest.fixture
def paid(stripe_sandbox, stripe_client) -> dict:
    acct = firm_account(stripe_sandbox, stripe_client)
    return pay(stripe_sandbox, checkout(stripe_client, acct).id)


def with_change(obj: dict, path: str, value) -> dict:
    changed = copy.deepcopy(obj)
    node = changed
    *parents, last = path.split(".")
    for name in parents:
        node = node[name]
    node[last] = value
    return changed


def test_real_answers_pass(paid):
    assert [problems(paid[name]) for name in ("session", "payment_intent", "charge")] == [
        [],
        [],
        [],
    ]


@pytest.mark.parametrize(
    ("path", "shell"),
    [
        ("transfer_data", {"amount": None, "destination": {"id": None}}),
        ("next_action", {"type": None}),
        ("last_payment_error", {"type": None}),
    ],
)
def test_a_shell_of_nulls_on_a_payment_intent_is_caught(paid, path, shell):
    assert problems(with_change(paid["payment_intent"], path, shell))


def test_a_shell_outcome_on_a_charge_is_caught(paid):
    shell = {k: None for k in paid["charge"]["outcome"]}
    assert "charge.outcome.type: null (required by the SDK)" in problems(
        with_change(paid["charge"], "outcome", shell)
    )


def test_example_numbers_in_a_checkout_session_are_caught(paid):
    leaked = copy.deepcopy(fixtures()["checkout.session"]["shipping_cost"])
    found = problems(with_change(paid["session"], "shipping_cost", leaked))
    assert any("copied from Stripe's example" in p for p in found)


def test_a_null_payout_schedule_interval_is_caught(stripe_client):
    account = create_account(stripe_client).to_dict()
    assert problems(account) == []
    broken = with_change(account, "settings.payouts.schedule.interval", None)
    assert problems(broken) == [
        "account.settings.payouts.schedule.interval: null (required by the SDK)"
    ]


def test_a_payment_method_type_stripe_does_not_use_on_disputes_is_caught(stripe_sandbox, paid):
    dispute = stripe_sandbox.control("POST", f"charges/{paid['charge']['id']}/dispute", {})
    assert problems(dispute) == []
    ach = with_change(dispute, "payment_method_details", {"type": "us_bank_account"})
    assert problems(ach) == [
        "dispute.payment_method_details.type: 'us_bank_account' is none of the SDK's values for it"
    ]


def test_a_field_stripe_does_not_send_is_caught(paid):
    assert problems({**paid["charge"], "tax_id": "123"}) == [
        "charge.tax_id: unknown to the SDK and to Stripe's example"
    ]


def test_a_list_stripe_sends_only_when_expanded_may_be_absent(paid):
    charge = {k: v for k, v in paid["charge"].items() if k != "refunds"}
    assert problems(charge) == []
