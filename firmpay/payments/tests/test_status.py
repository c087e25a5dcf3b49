"""The one mapping from an account snapshot to the card's statuses, table-driven."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from firmpay.payments.stripe.dataclasses import AccountSnapshot, Requirements
from firmpay.payments.stripe.mappers import account_snapshot_from_stripe
from firmpay.payments.stripe.status import integration_status, payouts_status

FIXTURES3 = Path("/work/shared/stripe/fixtures3.json")
if not FIXTURES3.exists():
    FIXTURES3 = (
        Path(__file__).resolve().parents[3] / "stripe_sandbox" / "fixtures" / "fixtures3.json"
    )
DEADLINE = datetime(2026, 12, 1, tzinfo=UTC)


def snap(*, submitted=True, charges=True, payouts=True, **requirements) -> AccountSnapshot:
    return AccountSnapshot(
        id="acct_1",
        details_submitted=submitted,
        charges_enabled=charges,
        payouts_enabled=payouts,
        requirements=Requirements(**requirements),
    )


STATUS_TABLE = [
    # (name, snapshot, integration status, fixable by firm)
    ("nothing connected", None, "not_connected", True),
    (
        "onboarding not submitted",
        snap(
            submitted=False,
            charges=False,
            payouts=False,
            past_due=("external_account",),
            disabled_reason="requirements.past_due",
        ),
        "incomplete",
        True,
    ),
    (
        "not submitted beats rejected",
        snap(submitted=False, charges=False, disabled_reason="rejected.fraud"),
        "incomplete",
        True,
    ),
    (
        "past due",
        snap(charges=False, past_due=("company.tax_id",), disabled_reason="requirements.past_due"),
        "action_required",
        True,
    ),
    (
        "currently due, charges still work",
        snap(currently_due=("company.tax_id",), current_deadline=DEADLINE),
        "action_required",
        True,
    ),
    (
        "rejected cannot be fixed by the firm",
        snap(charges=False, payouts=False, disabled_reason="rejected.terms_of_service"),
        "action_required",
        False,
    ),
    (
        "platform paused",
        snap(charges=False, disabled_reason="platform_paused"),
        "action_required",
        False,
    ),
    (
        "requested capabilities need info",
        snap(charges=False, disabled_reason="action_required.requested_capabilities"),
        "action_required",
        True,
    ),
    (
        "due beats pending verification",
        snap(currently_due=("x",), pending_verification=("y",)),
        "action_required",
        True,
    ),
    (
        "pending verification",
        snap(
            charges=False,
            pending_verification=("company.tax_id",),
            disabled_reason="requirements.pending_verification",
        ),
        "under_review",
        True,
    ),
    ("under review", snap(charges=False, disabled_reason="under_review"), "under_review", True),
    (
        "submitted, charges not yet enabled",
        snap(charges=False, payouts=False),
        "under_review",
        True,
    ),
    ("active", snap(), "active", True),
    (
        "active with something eventually due",
        snap(eventually_due=("company.tax_id",)),
        "active",
        True,
    ),
]


@pytest.mark.parametrize(
    "snapshot,expected,fixable",
    [row[1:] for row in STATUS_TABLE],
    ids=[row[0] for row in STATUS_TABLE],
)
def test_integration_status_follows_the_design_table(snapshot, expected, fixable):
    status = integration_status(snapshot)
    assert status.code == expected
    assert status.fixable_by_firm is fixable
    assert status.label


def test_action_required_while_charging_says_until_when():
    status = integration_status(snap(currently_due=("company.tax_id",), current_deadline=DEADLINE))
    assert status.charges_until == DEADLINE
    assert "1 December 2026" in status.message


def test_rejected_says_it_cannot_be_fixed_by_the_firm():
    status = integration_status(snap(charges=False, disabled_reason="rejected.fraud"))
    assert "cannot be fixed by the firm" in status.message


PAYOUTS_TABLE = [
    ("not connected", None, False, "disabled"),
    ("enabled", snap(), False, "active"),
    (
        "onboarding",
        snap(submitted=False, charges=False, payouts=False, currently_due=("external_account",)),
        False,
        "pending",
    ),
    (
        "in review",
        snap(charges=False, payouts=False, pending_verification=("x",)),
        False,
        "pending",
    ),
    (
        "rejected",
        snap(charges=False, payouts=False, disabled_reason="rejected.fraud"),
        False,
        "disabled",
    ),
    ("past due", snap(payouts=False, past_due=("x",)), False, "disabled"),
    ("off after having been on", snap(payouts=False), True, "disabled"),
]


@pytest.mark.parametrize(
    "snapshot,previously,expected",
    [row[1:] for row in PAYOUTS_TABLE],
    ids=[row[0] for row in PAYOUTS_TABLE],
)
def test_payouts_status(snapshot, previously, expected):
    status = payouts_status(snapshot, previously)
    assert status.code == expected
    assert bool(status.reason) is (expected != "active")


def test_stripes_example_account_maps_to_incomplete_with_pending_payouts():
    account = json.loads(FIXTURES3.read_text())["resources"]["account"]
    snapshot = account_snapshot_from_stripe(account)
    assert snapshot.id == account["id"]
    assert snapshot.dashboard == "full"  # legacy type=standard
    assert snapshot.created_via == "oauth"  # controller.type=account: it controls itself
    assert snapshot.capabilities.card_active
    assert integration_status(snapshot).code == "incomplete"
    assert payouts_status(snapshot, False).code == "pending"


def test_stripes_example_account_once_submitted_needs_action():
    account = json.loads(FIXTURES3.read_text())["resources"]["account"]
    snapshot = account_snapshot_from_stripe({**account, "details_submitted": True})
    assert integration_status(snapshot).code == "action_required"


def test_snapshot_survives_json_round_trip():
    snapshot = snap(currently_due=("a",), current_deadline=DEADLINE, disabled_reason="x")
    assert AccountSnapshot.from_dict(json.loads(json.dumps(snapshot.to_dict()))) == snapshot
