import pytest
from django.urls import reverse

from firmpay.core.models import AuditRecord
from firmpay.tenancy.models import PlanChange
from firmpay.tenancy.tests.factories import client_for, make_member

pytestmark = pytest.mark.django_db


def test_the_owner_changes_the_plan_recorded_and_audited(owner_client, firm, owner):
    response = owner_client.post(
        reverse("tenancy:plan"), {"plan": "pro"}, REMOTE_ADDR="198.51.100.4"
    )

    assert response.status_code == 302
    firm.refresh_from_db()
    assert firm.plan == "pro"
    change = PlanChange.objects.get(firm=firm)
    assert (change.from_plan, change.to_plan, change.changed_by) == ("free", "pro", owner)
    record = AuditRecord.objects.get(action="plan.changed")
    assert record.detail == {"from": "free", "to": "pro"}
    assert (record.firm, record.actor, record.ip_address) == (firm, owner, "198.51.100.4")


def test_choosing_the_current_plan_changes_nothing(owner_client, firm):
    owner_client.post(reverse("tenancy:plan"), {"plan": "free"})
    assert not PlanChange.objects.exists()
    assert not AuditRecord.objects.filter(action="plan.changed").exists()


def test_an_unknown_plan_is_refused(owner_client, firm):
    response = owner_client.post(reverse("tenancy:plan"), {"plan": "platinum"})
    assert response.status_code == 200
    assert "plan" in response.context["form"].errors
    firm.refresh_from_db()
    assert firm.plan == "free"


@pytest.mark.parametrize("role", ["admin", "staff"])
def test_others_see_the_plan_read_only_and_cannot_change_it(firm, owner, role):
    client = client_for(make_member(firm, role=role).user, firm)

    page = client.get(reverse("tenancy:plan"))
    assert page.status_code == 200
    assert "Only the firm's owner can change the plan" in page.content.decode()
    assert "Switch to" not in page.content.decode()

    assert client.post(reverse("tenancy:plan"), {"plan": "pro"}).status_code == 403
    firm.refresh_from_db()
    assert firm.plan == "free"
    assert not PlanChange.objects.exists()


def test_the_plan_page_shows_the_three_plans(owner_client):
    page = owner_client.get(reverse("tenancy:plan")).content.decode()
    for label in ("Free", "Standard", "Pro"):
        assert f"Switch to {label}" in page or "Current plan" in page


def test_the_plan_page_says_what_each_plan_costs_and_firmpays_fee(owner_client):
    page = owner_client.get(reverse("tenancy:plan")).content.decode()
    assert "Firmpay does not charge" not in page
    assert "1.5% of each online payment" in page  # Free
    assert "0.75% of each online payment" in page  # Standard
    assert "No Firmpay fee on online payments" in page  # Pro
    assert page.count("No monthly charge") == 3


def test_the_operator_sets_prices_and_fees(owner_client, settings):
    settings.FIRMPAY_PLAN_MONTHLY_PRICES = {"free": 0, "standard": 2900, "pro": 7900}
    settings.FIRMPAY_APPLICATION_FEE_BPS = {"free": 200, "standard": 50, "pro": 25}
    page = owner_client.get(reverse("tenancy:plan")).content.decode()
    assert "$29.00 a month" in page and "$79.00 a month" in page
    assert "2% of each online payment" in page
    assert "0.5% of each online payment" in page
    assert "0.25% of each online payment" in page
