"""Creating a platform account, its statuses from the sandbox, the Manage panel. (What the
firm is told about the account, the banner included, is firmpay/integrations/alerts.py and
its tests.)"""

import pytest

from firmpay.core.models import AuditRecord
from firmpay.payments.connect.selectors import (
    payment_account_can_take_charges,
    payment_account_for_firm,
    payment_account_panel,
    payment_card,
)
from firmpay.payments.exceptions import DisconnectNotAllowed, PlanRequired, ReasonRequired
from firmpay.payments.models import PaymentAccount
from firmpay.payments.services import (
    payment_account_create,
    payment_account_dashboard_link,
    payment_account_disconnect,
    payment_account_onboarding_link,
    payment_account_refresh,
)
from firmpay.payments.tests.conftest import account_state

pytestmark = pytest.mark.usefixtures("stripe_settings")


@pytest.fixture
def account(firm, owner):
    return payment_account_create(firm=firm, actor=owner)


def test_free_firm_is_refused_and_the_refusal_audited(make_firm):
    firm = make_firm(plan="free")
    with pytest.raises(PlanRequired):
        payment_account_create(firm=firm, actor=firm.owner)
    assert not PaymentAccount.objects.filter(firm=firm).exists()
    assert AuditRecord.objects.filter(firm=firm, action="payments.account_create_refused").exists()


def test_created_account_is_prefilled_from_the_firm_and_incomplete(firm, account):
    assert account.stripe_account_id.startswith("acct_")
    assert account.status == "incomplete"
    assert account.snapshot["business_name"] == firm.name
    assert account.snapshot["email"] == firm.email
    assert account.snapshot["country"] == "US"
    assert AuditRecord.objects.filter(firm=firm, action="payments.account_created").exists()


def test_double_create_gives_one_account(firm, owner, account):
    again = payment_account_create(firm=firm, actor=owner)
    assert again.pk == account.pk
    assert again.stripe_account_id == account.stripe_account_id
    assert PaymentAccount.objects.filter(firm=firm).count() == 1


def test_a_retry_after_a_lost_answer_reuses_the_stripe_account(firm, owner, account):
    # As if Stripe's answer had been lost: the row is there without the account id.
    PaymentAccount.objects.filter(pk=account.pk).update(stripe_account_id="")
    again = payment_account_create(firm=firm, actor=owner)
    assert again.pk == account.pk
    assert again.stripe_account_id == account.stripe_account_id  # same idempotency key


def test_gb_firm_requests_bacs(make_firm):
    firm = make_firm(country="GB")
    account = payment_account_create(firm=firm, actor=firm.owner)
    assert account.snapshot["capabilities"]["bacs"] != "unrequested"
    assert account.snapshot["capabilities"]["ach"] == "unrequested"


def test_onboarding_link_points_at_hosted_onboarding(account, stripe_sandbox):
    url = payment_account_onboarding_link(
        account=account, return_url="http://testserver/r", refresh_url="http://testserver/f"
    )
    assert url.startswith(stripe_sandbox.base_url)


SANDBOX_STATES = [
    # (sandbox state, params, integration status, payouts status)
    ("incomplete", {}, "incomplete", "pending"),
    ("pending_verification", {}, "under_review", "pending"),
    ("verified", {}, "active", "active"),
    ("requirements_due", {"deadline_in_days": 3}, "action_required", "active"),
    ("past_due", {}, "action_required", "disabled"),
    ("eventually_due", {}, "active", "active"),
    ("rejected", {"reason": "fraud"}, "action_required", "disabled"),
    ("payouts_disabled", {}, "active", "disabled"),
    ("verification_failed", {}, "action_required", "disabled"),
    ("future_requirements", {"requirements": ["company.tax_id"]}, "active", "active"),
]


@pytest.mark.parametrize(
    "state,params,status,payouts", SANDBOX_STATES, ids=[row[0] for row in SANDBOX_STATES]
)
def test_statuses_from_sandbox_account_states(
    account, stripe_sandbox, state, params, status, payouts
):
    if state not in ("incomplete", "pending_verification", "verified"):
        account_state(stripe_sandbox, account.stripe_account_id, "verified")
        payment_account_refresh(account=account)
    account_state(stripe_sandbox, account.stripe_account_id, state, **params)
    account = payment_account_refresh(account=account)
    assert (account.status, account.payouts_status) == (status, payouts)


def test_manage_panel_lists_requirements_in_plain_words(account, stripe_sandbox):
    account_state(stripe_sandbox, account.stripe_account_id, "verified")
    account_state(
        stripe_sandbox,
        account.stripe_account_id,
        "requirements_due",
        requirements=["company.tax_id", "representative.verification.document"],
        deadline_in_days=5,
    )
    panel = payment_account_panel(account=payment_account_refresh(account=account))
    labels = {row.label: row for row in panel.requirements}
    assert "Company tax ID" in labels
    assert labels["Identity document for the representative"].deadline is not None
    assert panel.live_methods == ["Card", "ACH direct debit"]
    assert (
        panel.dashboard_url
        == f"{stripe_sandbox.base_url}/dashboard/accounts/{account.stripe_account_id}"
    )
    assert panel.can_continue_setup and not panel.firm_can_disconnect
    assert payment_account_dashboard_link(account=account) == panel.dashboard_url


def test_fresh_account_in_onboarding_is_incomplete(firm, account):
    assert payment_card(firm=firm).status.code == "incomplete"


def test_firm_cannot_disconnect_a_platform_account_but_support_can(firm, owner, account, make_firm):
    with pytest.raises(DisconnectNotAllowed):
        payment_account_disconnect(account=account, actor=owner)
    support = make_firm().owner
    support.is_staff = True
    with pytest.raises(ReasonRequired):
        payment_account_disconnect(account=account, actor=support, by_support=True)
    payment_account_disconnect(
        account=account,
        actor=support,
        by_support=True,
        reason="Firm asked by phone",
        support_ticket="T-42",
    )
    assert payment_account_for_firm(firm=firm) is None
    assert payment_card(firm=firm).status.code == "not_connected"
    assert not payment_account_can_take_charges(firm=firm)
    record = AuditRecord.objects.get(firm=firm, action="payments.account_disconnected")
    assert record.detail["reason"] == "Firm asked by phone" and record.detail["by_support"]
    # ...and the firm can connect again later.
    assert payment_account_create(firm=firm, actor=owner).pk != account.pk


def test_can_take_charges_only_when_active(firm, account, stripe_sandbox):
    assert not payment_account_can_take_charges(firm=firm)
    account_state(stripe_sandbox, account.stripe_account_id, "verified")
    payment_account_refresh(account=account)
    assert payment_account_can_take_charges(firm=firm)


def test_another_firms_member_never_sees_this_firms_account(account, make_firm):
    other = make_firm()
    assert payment_account_for_firm(firm=other) is None
    assert payment_card(firm=other).account is None


def test_express_account_dashboard_is_a_fresh_login_link(
    firm, owner, stripe_client, stripe_sandbox
):
    express = stripe_client.v1.accounts.create(
        params={
            "country": "US",
            "controller": {
                "stripe_dashboard": {"type": "express"},
                "fees": {"payer": "application"},
                "losses": {"payments": "application"},
            },
        }
    )
    account = PaymentAccount.objects.create(
        firm=firm, stripe_account_id=express.id, created_via="platform", created_by=owner
    )
    account = payment_account_refresh(account=account)
    assert payment_account_panel(account=account).dashboard_url is None
    assert payment_account_dashboard_link(account=account).startswith(stripe_sandbox.base_url)


@pytest.mark.django_db(transaction=True)
def test_double_click_from_two_threads_creates_one_account(make_firm):
    import threading

    from django.db import connection

    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    firm = make_firm()
    barrier, results = threading.Barrier(2), []

    def click():
        barrier.wait()
        try:
            results.append(payment_account_create(firm=firm, actor=firm.owner).stripe_account_id)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert PaymentAccount.objects.filter(firm=firm).count() == 1
    assert len(results) == 2 and len(set(results)) == 1


def test_manage_panel_shows_only_live_payment_methods(account, stripe_sandbox):
    account_state(stripe_sandbox, account.stripe_account_id, "verified")
    account_state(
        stripe_sandbox,
        account.stripe_account_id,
        "capability",
        capability="us_bank_account_ach_payments",
        status="inactive",
    )
    panel = payment_account_panel(account=payment_account_refresh(account=account))
    assert panel.live_methods == ["Card"]


def test_verification_error_shows_stripes_reason_on_the_requirement(account, stripe_sandbox):
    account_state(stripe_sandbox, account.stripe_account_id, "verified")
    account_state(
        stripe_sandbox,
        account.stripe_account_id,
        "verification_failed",
        requirement="company.verification.document",
        reason="The document was blurry.",
    )
    panel = payment_account_panel(account=payment_account_refresh(account=account))
    row = next(r for r in panel.requirements if r.key == "company.verification.document")
    assert (row.label, row.state, row.error) == (
        "Company registration document",
        "past_due",
        "The document was blurry.",
    )
