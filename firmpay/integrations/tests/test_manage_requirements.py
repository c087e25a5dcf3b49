"""Manage → What Stripe needs: a brand-new account is not late. Stripe lists every requirement
as past_due until onboarding is first submitted; the panel says "Needed" then, and "Overdue"
(red) only once details were submitted and something is past its deadline."""

import pytest

from firmpay.integrations.tests.conftest import account_state
from firmpay.payments.services import payment_account_create

pytestmark = pytest.mark.usefixtures("stripe_settings")

MANAGE = "/settings/integrations/stripe/manage/"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def account(firm):
    return payment_account_create(firm=firm, actor=firm.owner)


def requirements_table(page: str) -> str:
    return page.split('id="manage-requirements"')[1].split("</table>")[0]


def test_a_new_accounts_requirements_read_needed_not_overdue(account, owner_client):
    table = requirements_table(owner_client.get(MANAGE, **HTMX).content.decode())
    assert 'class="requirement past_due"' in table  # Stripe's word is kept for the row
    assert '<span class="badge warn">Needed</span>' in table
    assert "Overdue" not in table and "badge bad" not in table


def test_after_submission_past_due_requirements_are_overdue(account, owner_client, stripe_sandbox):
    account_state(stripe_sandbox, account.stripe_account_id, "verified")
    account_state(
        stripe_sandbox, account.stripe_account_id, "past_due", requirements=["company.tax_id"]
    )
    owner_client.post("/settings/integrations/stripe/check/")
    table = requirements_table(owner_client.get(MANAGE, **HTMX).content.decode())
    assert "Company tax ID" in table
    assert '<span class="badge bad">Overdue</span>' in table
    assert "Needed" not in table
