"""The alert banner on every page of the firm's app while the payment account needs
attention: owners and admins get the link that fixes it, staff a notice."""

import pytest
from django.utils import timezone

from firmpay.integrations.alerts import firm_account_alert
from firmpay.integrations.tests.conftest import account_state, client_for
from firmpay.payments.services import (
    payment_account_create,
    payment_account_mark_deauthorized,
    payment_account_refresh,
)
from firmpay.payments.tests.online import deliver, event
from firmpay.tenancy.models import Role

pytestmark = pytest.mark.usefixtures("stripe_settings")

PAGES = ["/settings/integrations/", "/invoices/", "/clients/"]


@pytest.fixture
def past_due(firm, stripe_sandbox):
    account = payment_account_create(firm=firm, actor=firm.owner)
    account_state(stripe_sandbox, account.stripe_account_id, "verified")
    payment_account_refresh(account=account)
    account_state(
        stripe_sandbox, account.stripe_account_id, "past_due", requirements=["company.tax_id"]
    )
    return payment_account_refresh(account=account)


def banner(page: str) -> str:
    start = page.find('class="banner banner-')
    return page[start : page.find("</div>", start)] if start >= 0 else ""


def test_no_banner_while_all_is_well(firm, owner_client):
    for path in PAGES:
        assert banner(owner_client.get(path).content.decode()) == ""


def test_past_due_banner_on_every_page_links_owners_to_onboarding(past_due, owner_client):
    for path in PAGES:
        shown = banner(owner_client.get(path).content.decode())
        assert "Company tax ID" in shown, path
        assert 'href="/settings/integrations/stripe/onboarding/"' in shown


def test_admins_get_the_link_too(past_due, admin_client):
    shown = banner(admin_client.get("/invoices/").content.decode())
    assert 'href="/settings/integrations/stripe/onboarding/"' in shown


def test_staff_get_the_notice_without_the_action(past_due, staff_client):
    shown = banner(staff_client.get("/invoices/").content.decode())
    assert "Company tax ID" in shown and "Ask an owner or admin" in shown
    assert "<a " not in shown


def test_the_banner_link_redirects_to_a_fresh_onboarding_link(
    past_due, owner_client, stripe_sandbox
):
    response = owner_client.get("/settings/integrations/stripe/onboarding/")
    assert response["Location"].startswith(stripe_sandbox.base_url + "/setup/")


def test_another_firm_sees_no_banner(past_due, make_firm):
    other = make_firm()
    for role in (Role.OWNER, Role.STAFF):
        page = client_for(other.members[role]).get("/invoices/").content.decode()
        assert banner(page) == ""


def test_deauthorized_account_banner_links_to_connect(firm, owner_client, stripe_sandbox):
    account = payment_account_create(firm=firm, actor=firm.owner)
    payment_account_mark_deauthorized(account=account, at=timezone.now())
    shown = banner(owner_client.get("/invoices/").content.decode())
    assert "disconnected from Stripe" in shown
    assert 'href="/settings/integrations/stripe/connect/"' in shown  # the Connect sidebar


def test_the_banner_follows_the_account_through_stripe_and_clears(
    firm, owner_client, stripe_sandbox
):
    """Refreshed from the sandbox at each step: all well → a deadline in 3 days → overdue →
    verified again, and the banner says so each time, then goes."""
    account = payment_account_create(firm=firm, actor=firm.owner)
    acct = account.stripe_account_id

    def step(state: str, **params):
        account_state(stripe_sandbox, acct, state, **params)
        payment_account_refresh(account=account)
        return firm_account_alert(firm=firm), banner(
            owner_client.get("/invoices/").content.decode()
        )

    alert, shown = step("verified")
    assert not alert.banner and shown == ""
    alert, shown = step("requirements_due", deadline_in_days=3)
    assert (alert.state, alert.tone) == ("deadline", "bad") and "Stripe needs more" in shown
    alert, shown = step("past_due")
    assert (alert.state, alert.tone) == ("charges_paused", "bad")  # charges were on before
    assert 'href="/settings/integrations/stripe/onboarding/"' in shown  # a fresh onboarding link
    alert, shown = step("verified")
    assert not alert.banner and shown == ""


def test_a_deauthorized_event_raises_the_banner_and_connecting_again_clears_it(
    firm, owner_client, stripe_sandbox, django_capture_on_commit_callbacks
):
    account = payment_account_create(firm=firm, actor=firm.owner)
    account_state(stripe_sandbox, account.stripe_account_id, "verified")
    payment_account_refresh(account=account)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(
            event(
                "account.application.deauthorized",
                account.stripe_account_id,
                {"id": "ca_x", "object": "application"},
            )
        )
    assert firm_account_alert(firm=firm).state == "deauthorized"
    assert "disconnected from Stripe" in banner(owner_client.get("/invoices/").content.decode())
    payment_account_create(firm=firm, actor=firm.owner)
    assert firm_account_alert(firm=firm).state != "deauthorized"
    assert "disconnected from Stripe" not in banner(owner_client.get("/invoices/").content.decode())


def test_the_banner_follows_the_account_at_once_though_pages_reuse_it(
    firm, owner_client, stripe_sandbox
):
    """Pages reuse the firm's banner instead of reading the account on every request, and a
    change of the account shows on the very next page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    account = payment_account_create(firm=firm, actor=firm.owner)
    account_state(stripe_sandbox, account.stripe_account_id, "verified")
    payment_account_refresh(account=account)
    assert banner(owner_client.get("/clients/").content.decode()) == ""
    with CaptureQueriesContext(connection) as reused:
        owner_client.get("/clients/")
    assert not [q for q in reused.captured_queries if "payments_paymentaccount" in q["sql"]]

    account_state(
        stripe_sandbox, account.stripe_account_id, "past_due", requirements=["company.tax_id"]
    )
    payment_account_refresh(account=account)

    assert "Company tax ID" in banner(owner_client.get("/clients/").content.decode())
