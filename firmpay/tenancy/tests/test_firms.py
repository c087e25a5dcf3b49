import pytest
from django.urls import reverse

from firmpay.core.models import AuditRecord
from firmpay.tenancy.models import Firm, Membership
from firmpay.tenancy.tests.factories import client_for, make_member, make_user

pytestmark = pytest.mark.django_db

FIRM_FIELDS = {
    "name": "Acme Accounting LLP",
    "email": "hello@acme.test",
    "country": "GB",
    "default_currency": "GBP",
    "timezone": "Europe/London",
    "payment_terms_days": "14",
    "bank_details": "Sort code 12-34-56, account 12345678",
}


def test_a_signed_in_user_creates_another_firm_and_owns_it(owner_client, owner, firm):
    response = owner_client.post(
        reverse("tenancy:firm_create"),
        {"firm_name": "Second Firm", "country": "US", "default_currency": "USD", "timezone": "UTC"},
    )

    assert response.status_code == 302
    second = Firm.objects.get(name="Second Firm")
    assert Membership.objects.get(firm=second, user=owner).is_owner
    assert owner_client.session["firm_id"] == second.pk


def test_firm_create_with_a_blank_name_writes_nothing(owner_client):
    before = Firm.objects.count()
    response = owner_client.post(
        reverse("tenancy:firm_create"),
        {"firm_name": " ", "country": "US", "default_currency": "USD", "timezone": "UTC"},
    )
    assert response.status_code == 200
    assert "firm_name" in response.context["form"].errors
    assert Firm.objects.count() == before


def test_switch_lists_the_users_firms_and_switches(owner_client, owner, firm, other_firm):
    make_member(other_firm, role="staff", user=owner)

    page = owner_client.get(reverse("tenancy:firm_switch"))
    assert firm.name in page.content.decode()
    assert other_firm.name in page.content.decode()

    response = owner_client.post(reverse("tenancy:firm_switch"), {"firm_id": other_firm.pk})
    assert response.status_code == 302
    assert owner_client.session["firm_id"] == other_firm.pk
    assert owner_client.get(reverse("tenancy:members")).context["request"].firm == other_firm


@pytest.mark.parametrize("firm_id", ["other", "", "abc"])
def test_switching_to_a_firm_you_are_not_a_member_of_is_refused(
    owner_client, firm, other_firm, firm_id
):
    value = other_firm.pk if firm_id == "other" else firm_id
    response = owner_client.post(reverse("tenancy:firm_switch"), {"firm_id": value})

    assert response.status_code == 404
    assert owner_client.session["firm_id"] == firm.pk


def test_a_foreign_firm_in_the_session_falls_back_to_the_users_own(owner_client, firm, other_firm):
    session = owner_client.session
    session["firm_id"] = other_firm.pk
    session.save()

    response = owner_client.get(reverse("tenancy:firm_settings"))

    assert response.context["request"].firm == firm


@pytest.mark.parametrize("role", ["owner", "admin"])
def test_owners_and_admins_edit_the_firm_settings(firm, role):
    client = client_for(make_member(firm, role=role).user, firm)

    response = client.post(reverse("tenancy:firm_settings"), FIRM_FIELDS)

    assert response.status_code == 302
    firm.refresh_from_db()
    assert firm.name == "Acme Accounting LLP"
    assert firm.payment_terms_days == 14
    assert firm.bank_details.startswith("Sort code")
    record = AuditRecord.objects.get(firm=firm, action="firm.updated")
    assert "bank_details" in record.detail["fields"]
    assert "12345678" not in str(record.detail)


def test_staff_see_the_firm_settings_read_only_and_cannot_post(staff_client, firm):
    page = staff_client.get(reverse("tenancy:firm_settings"))
    assert page.status_code == 200
    assert all(field.field.disabled for field in page.context["form"])

    response = staff_client.post(reverse("tenancy:firm_settings"), FIRM_FIELDS)

    assert response.status_code == 403
    firm.refresh_from_db()
    assert firm.name == "Acme Accounting"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"name": ""}, "name"),
        ({"payment_terms_days": "-1"}, "payment_terms_days"),
        ({"payment_terms_days": "400"}, "payment_terms_days"),
        ({"email": "nope"}, "email"),
        ({"default_currency": "XYZ"}, "default_currency"),
    ],
)
def test_invalid_firm_settings_show_field_errors_and_write_nothing(
    owner_client, firm, change, field
):
    response = owner_client.post(reverse("tenancy:firm_settings"), FIRM_FIELDS | change)

    assert response.status_code == 200
    assert field in response.context["form"].errors
    firm.refresh_from_db()
    assert firm.name == "Acme Accounting"
    assert not AuditRecord.objects.filter(action="firm.updated").exists()


def test_anonymous_visitors_are_sent_to_log_in(client):
    for name in ("firm_settings", "members", "plan", "audit_log", "firm_switch", "firm_create"):
        response = client.get(reverse(f"tenancy:{name}"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("tenancy:login"))


def test_a_user_with_no_firm_sees_the_create_page_with_a_hint(client):
    client.force_login(make_user())
    response = client.get(reverse("tenancy:firm_create"))
    assert "not a member of any firm" in response.content.decode()


def test_support_staff_without_a_firm_land_in_the_back_office_after_log_in(client):
    make_user(email="support@firmpay.test", password="pw-Support-2026", is_staff=True)
    response = client.post(
        reverse("tenancy:login"),
        {"username": "support@firmpay.test", "password": "pw-Support-2026"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("support:index")
