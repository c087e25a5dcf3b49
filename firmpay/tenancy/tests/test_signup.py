import pytest
from django.core import mail
from django.urls import reverse

from firmpay.core.models import AuditRecord
from firmpay.tenancy.models import Firm, Membership, User
from firmpay.tenancy.tests.factories import DEFAULT_PASSWORD, make_owner, make_user

pytestmark = pytest.mark.django_db

SIGNUP = {
    "name": "Ada Ledger",
    "email": "Ada@Ledger.test",
    "password": "a-long-password-2026",
    "firm_name": "Ledger & Sons",
    "country": "GB",
    "default_currency": "GBP",
    "timezone": "Europe/London",
}


def counts():
    return (User.objects.count(), Firm.objects.count(), Membership.objects.count())


def test_signup_creates_the_firm_its_owner_and_logs_in(client):
    response = client.post(reverse("tenancy:signup"), SIGNUP)

    assert response.status_code == 302
    user = User.objects.get()
    assert user.email == "ada@ledger.test"
    assert user.name == "Ada Ledger"
    firm = Firm.objects.get()
    assert (firm.name, firm.country, firm.default_currency, firm.timezone, firm.plan) == (
        "Ledger & Sons",
        "GB",
        "GBP",
        "Europe/London",
        "free",
    )
    assert Membership.objects.get(user=user, firm=firm).is_owner
    assert client.session["firm_id"] == firm.pk
    assert int(client.session["_auth_user_id"]) == user.pk
    assert AuditRecord.objects.filter(firm=firm, action="firm.created").exists()


def test_signup_lands_in_the_app_with_the_firm_name_shown(client):
    response = client.post(reverse("tenancy:signup"), SIGNUP, follow=True)

    assert response.status_code == 200
    assert "Ledger &amp; Sons" in response.content.decode()


def test_signup_with_a_taken_email_in_another_case_is_a_field_error_and_writes_nothing(client):
    make_user("ada@ledger.test")
    before = counts()

    response = client.post(reverse("tenancy:signup"), SIGNUP | {"email": "ADA@ledger.TEST"})

    assert response.status_code == 200
    assert "already exists" in str(response.context["form"].errors["email"])
    assert counts() == before
    assert "_auth_user_id" not in client.session


def test_a_taken_email_found_only_by_the_database_is_still_a_field_error(client):
    """The form's check and the insert race; the case-insensitive unique index decides."""
    from firmpay.tenancy.exceptions import EmailTaken
    from firmpay.tenancy.services import user_signup

    make_user("ada@ledger.test")
    before = counts()
    with pytest.raises(EmailTaken):
        user_signup(
            name="",
            email="ada@ledger.test",
            password="x-long-password",
            firm_name="Dup",
            country="US",
            default_currency="USD",
            timezone_name="UTC",
        )
    assert counts() == before


@pytest.mark.parametrize(
    "change, field",
    [
        ({"email": "not-an-email"}, "email"),
        ({"password": "123"}, "password"),
        ({"password": "ledger.test"}, "password"),
        ({"firm_name": "   "}, "firm_name"),
        ({"default_currency": "XXX"}, "default_currency"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"country": "ZZ"}, "country"),
    ],
)
def test_invalid_signup_shows_the_field_error_and_writes_nothing(client, change, field):
    response = client.post(reverse("tenancy:signup"), SIGNUP | change)

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert counts() == (0, 0, 0)


def test_log_in_by_email_in_any_case_and_log_out(client):
    owner = make_owner()

    response = client.post(
        reverse("tenancy:login"),
        {"username": owner.email.upper(), "password": DEFAULT_PASSWORD},
    )
    assert response.status_code == 302
    assert client.get(reverse("tenancy:firm_settings")).status_code == 200

    client.post(reverse("tenancy:logout"))
    assert client.get(reverse("tenancy:firm_settings")).status_code == 302


def test_wrong_password_is_refused(client):
    owner = make_owner()
    response = client.post(
        reverse("tenancy:login"), {"username": owner.email, "password": "wrong-password"}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_user_without_a_firm_is_sent_to_create_one(client):
    client.force_login(make_user())

    response = client.get(reverse("tenancy:members"))

    assert response.status_code == 302
    assert response.url == reverse("tenancy:firm_create")


def test_password_reset_emails_a_link_that_sets_a_new_password(client, settings):
    settings.SITE_URL = "https://app.firmpay.test"
    owner = make_owner()

    response = client.post(reverse("tenancy:password_reset"), {"email": owner.email.upper()})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [owner.email]
    link = next(line for line in message.body.splitlines() if line.startswith("https://"))
    path = link.removeprefix("https://app.firmpay.test")
    form_page = client.get(path, follow=True)
    assert form_page.context["validlink"]
    new_password = "another-long-password-7"
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password(new_password)


def test_password_reset_for_an_unknown_email_sends_nothing_and_says_the_same(client):
    response = client.post(reverse("tenancy:password_reset"), {"email": "nobody@x.test"})
    assert response.status_code == 302
    assert mail.outbox == []
