"""The Stripe card on Settings → Integrations: who may act, the create flow, return and
refresh URLs, Manage, Continue setup. Against the sandbox, nothing patched."""

import pytest

from firmpay.core.models import AuditRecord
from firmpay.integrations.tests.conftest import account_state, client_for
from firmpay.payments.models import PaymentAccount
from firmpay.payments.services import payment_account_create
from firmpay.tenancy.models import Role

pytestmark = pytest.mark.usefixtures("stripe_settings")

INDEX = "/settings/integrations/"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def account(firm):
    return payment_account_create(firm=firm, actor=firm.owner)


def test_not_connected_card_offers_connect_to_owners_and_admins(owner_client, admin_client):
    for client in (owner_client, admin_client):
        page = client.get(INDEX).content.decode()
        assert 'id="stripe-status">Not connected' in page
        assert "/settings/integrations/stripe/connect/" in page


def test_staff_see_the_card_read_only(staff_client):
    page = staff_client.get(INDEX).content.decode()
    assert 'id="stripe-status">Not connected' in page
    assert "/settings/integrations/stripe/connect/" not in page
    assert "Read only" in page


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "connect/"),
        ("post", "create/"),
        ("get", "onboarding/"),
        ("post", "check/"),
        ("get", "dashboard/"),
        ("post", "oauth/start/"),
        ("get", "oauth/callback/?state=x&code=y"),
        ("get", "disconnect/"),
        ("post", "disconnect/"),
    ],
)
def test_staff_cannot_act_on_stripe(firm, account, staff_client, method, path):
    response = getattr(staff_client, method)(INDEX + "stripe/" + path)
    assert response.status_code == 403
    assert PaymentAccount.objects.filter(firm=firm).count() == 1
    assert PaymentAccount.objects.get(firm=firm).disconnected_at is None


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(INDEX + "stripe/manage/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_connect_sidebar_offers_both_ways(owner_client):
    page = owner_client.get(INDEX + "stripe/connect/", **HTMX).content.decode()
    assert "Create Stripe account with Firmpay</button>" in page
    assert "Connect existing Stripe account</button>" in page
    assert "<html" not in page  # a fragment for htmx


def test_connect_without_htmx_is_a_whole_page(owner_client):
    page = owner_client.get(INDEX + "stripe/connect/").content.decode()
    assert "<html" in page and "Create Stripe account with Firmpay</button>" in page


def test_free_firm_gets_the_upgrade_prompt(make_firm):
    firm = make_firm(plan="free")
    page = client_for(firm.owner).get(INDEX + "stripe/connect/", **HTMX).content.decode()
    assert 'id="stripe-upgrade"' in page and 'href="/settings/plan/"' in page
    assert "Create Stripe account with Firmpay</button>" not in page
    assert "Connect existing Stripe account</button>" in page


def test_free_firm_is_refused_by_the_server_too(make_firm):
    firm = make_firm(plan="free")
    client = client_for(firm.owner)
    response = client.post(INDEX + "stripe/create/", follow=True)
    assert not PaymentAccount.objects.filter(firm=firm).exists()
    assert "needs a paid plan" in response.content.decode()
    refusal = AuditRecord.objects.get(firm=firm, action="payments.account_create_refused")
    assert refusal.ip_address == "203.0.113.7"


def test_create_sends_the_owner_to_stripe_onboarding(firm, owner_client, stripe_sandbox):
    response = owner_client.post(INDEX + "stripe/create/")
    assert response.status_code == 302
    assert response["Location"].startswith(stripe_sandbox.base_url + "/setup/")
    account = PaymentAccount.objects.get(firm=firm)
    assert account.created_via == "platform" and account.stripe_account_id.startswith("acct_")
    created = AuditRecord.objects.get(firm=firm, action="payments.account_created")
    assert created.ip_address == "203.0.113.7" and created.actor == firm.owner


def test_a_double_submit_creates_one_account(firm, owner_client, admin_client):
    first = owner_client.post(INDEX + "stripe/create/")
    second = admin_client.post(INDEX + "stripe/create/")
    assert first.status_code == second.status_code == 302
    assert PaymentAccount.objects.filter(firm=firm).count() == 1


def test_create_button_disables_itself_on_submit(owner_client):
    page = owner_client.get(INDEX + "stripe/connect/", **HTMX).content.decode()
    assert "data-disable-on-submit" in page  # wired by static/js/firmpay.js (no inline JS)


def test_return_url_reads_the_account_again(firm, account, owner_client, stripe_sandbox):
    account_state(stripe_sandbox, account.stripe_account_id, "pending_verification")
    response = owner_client.get(INDEX + "stripe/return/", follow=True)
    page = response.content.decode()
    assert 'id="stripe-status">Under review' in page
    assert 'class="message info"' in page and "Stripe is reviewing the information" in page
    assert PaymentAccount.objects.get(pk=account.pk).status == "under_review"


def test_refresh_url_mints_a_fresh_link(account, owner_client, stripe_sandbox):
    first = owner_client.get(INDEX + "stripe/onboarding/")["Location"]
    second = owner_client.get(INDEX + "stripe/onboarding/")["Location"]
    assert first.startswith(stripe_sandbox.base_url) and second.startswith(stripe_sandbox.base_url)
    assert first != second


def test_incomplete_card_offers_continue_setup(account, owner_client):
    page = owner_client.get(INDEX).content.decode()
    assert 'id="stripe-status">Incomplete' in page
    assert 'id="stripe-payouts">Pending' in page
    assert "Continue setup</a>" in page
    assert "Finish setting up your Stripe account" in page


def test_manage_lists_what_stripe_still_needs_in_plain_words(account, owner_client, stripe_sandbox):
    account_state(
        stripe_sandbox,
        account.stripe_account_id,
        "requirements_due",
        requirements=["company.tax_id", "representative.verification.document"],
        deadline_in_days=5,
    )
    owner_client.post(INDEX + "stripe/check/")
    page = owner_client.get(INDEX + "stripe/manage/", **HTMX).content.decode()
    assert account.stripe_account_id in page
    assert "Company tax ID" in page
    assert "Identity document" in page
    assert "Stripe dashboard</a>" in page
    assert "Continue setup</a>" in page


def test_staff_see_manage_without_actions(account, staff_client):
    page = staff_client.get(INDEX + "stripe/manage/", **HTMX).content.decode()
    assert account.stripe_account_id in page
    assert "Stripe dashboard</a>" not in page and "Continue setup</a>" not in page


def test_active_account_shows_methods_and_payouts(account, owner_client, stripe_sandbox):
    account_state(stripe_sandbox, account.stripe_account_id, "verified")
    owner_client.post(INDEX + "stripe/check/")
    page = owner_client.get(INDEX).content.decode()
    assert 'id="stripe-status">Active' in page and 'id="stripe-payouts">Active' in page
    assert "Continue setup</a>" not in page
    manage = owner_client.get(INDEX + "stripe/manage/", **HTMX).content.decode()
    assert "Card" in manage and "Nothing: Stripe has everything it needs." in manage


def test_dashboard_link_leads_to_the_accounts_dashboard(account, owner_client, stripe_sandbox):
    location = owner_client.get(INDEX + "stripe/dashboard/")["Location"]
    assert location == f"{stripe_sandbox.base_url}/dashboard/accounts/{account.stripe_account_id}"


def test_a_member_of_another_firm_never_sees_this_firms_account(account, make_firm):
    other = make_firm()
    for role in (Role.OWNER, Role.STAFF):
        client = client_for(other.members[role])
        for path in ("", "stripe/manage/", "stripe/disconnect/", "stripe/connect/"):
            response = client.get(INDEX + path, follow=True)
            assert account.stripe_account_id not in response.content.decode()
    other_owner = client_for(other.owner)
    other_owner.get(INDEX + "stripe/dashboard/")
    other_owner.post(INDEX + "stripe/disconnect/")
    assert PaymentAccount.objects.get(pk=account.pk).disconnected_at is None


def test_onboarding_link_for_an_oauth_account_goes_to_the_dashboard(firm, owner_client):
    PaymentAccount.objects.create(firm=firm, stripe_account_id="acct_x", created_via="oauth")
    response = owner_client.get(INDEX + "stripe/onboarding/")
    assert response["Location"] == "/settings/integrations/stripe/dashboard/"


def test_return_without_an_account_just_shows_the_card(owner_client):
    response = owner_client.get(INDEX + "stripe/return/")
    assert response.status_code == 302 and response["Location"] == INDEX


def test_stripe_down_on_create_says_so_and_a_retry_resumes(firm, owner_client, stripe_sandbox):
    stripe_sandbox.control("POST", "faults", {"api": {"mode": "500", "count": 10}})
    page = owner_client.post(INDEX + "stripe/create/", follow=True).content.decode()
    assert "Stripe is not answering right now" in page
    assert 'id="stripe-status">Not connected' in page
    stripe_sandbox.control("DELETE", "faults")
    # The card offers Connect again and creating again finishes the same account.
    assert owner_client.get(INDEX + "stripe/connect/").status_code == 200
    response = owner_client.post(INDEX + "stripe/create/")
    assert response["Location"].startswith(stripe_sandbox.base_url + "/setup/")
    assert PaymentAccount.objects.filter(firm=firm).count() == 1


def test_stripe_down_on_return_keeps_the_last_known_status(account, owner_client, stripe_sandbox):
    stripe_sandbox.control("POST", "faults", {"api": {"mode": "500", "count": 10}})
    page = owner_client.get(INDEX + "stripe/return/", follow=True).content.decode()
    assert "Stripe is not answering right now" in page
    assert 'id="stripe-status">Incomplete' in page


def test_a_stale_sidebar_link_reloads_the_page_instead_of_nesting_it(owner_client):
    response = owner_client.get(INDEX + "stripe/manage/", **HTMX)
    assert response.status_code == 204 and response["HX-Redirect"] == INDEX
