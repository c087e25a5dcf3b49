"""After upgrading, the Plan page leads back to finishing Stripe setup (issue 18, point 8)."""

from firmpay.integrations.tests.conftest import client_for
from firmpay.integrations.tests.test_alerts_agree import CASES, store_account
from firmpay.tenancy.models import Role

INCOMPLETE = next(case for case in CASES if case.name == "incomplete")
ACTIVE = next(case for case in CASES if case.name == "active")


def plan_page(firm, role=Role.OWNER) -> str:
    return client_for(firm.members[role]).get("/settings/plan/").content.decode()


def test_upgrading_shows_continue_stripe_setup(make_firm):
    firm = make_firm(plan="free")
    assert "Continue Stripe setup" not in plan_page(firm)
    response = client_for(firm.members[Role.OWNER]).post(
        "/settings/plan/", {"plan": "standard"}, follow=True
    )
    page = response.content.decode()
    assert 'href="/settings/integrations/stripe/connect/">Continue Stripe setup</a>' in page


def test_a_half_onboarded_account_continues_where_it_stopped(make_firm):
    firm = make_firm()
    store_account(firm, INCOMPLETE)
    page = plan_page(firm)
    assert 'href="/settings/integrations/stripe/onboarding/">Continue Stripe setup</a>' in page


def test_nothing_for_an_active_account_or_for_staff(make_firm):
    firm = make_firm()
    assert "Continue Stripe setup" not in plan_page(firm, Role.STAFF)
    store_account(firm, ACTIVE)
    assert "Continue Stripe setup" not in plan_page(firm)
