import pytest
from django.urls import reverse

from firmpay.clients.models import Client
from firmpay.clients.tests.builders import client_build, firm_build, member_build
from firmpay.tenancy.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def firm():
    return firm_build(default_currency="USD")


@pytest.fixture
def member_client(client, firm):
    client.force_login(member_build(firm=firm, role=Role.STAFF))
    return client


def test_staff_member_adds_a_client(member_client, firm):
    response = member_client.post(
        reverse("clients:create"),
        {"name": "Acme Ltd", "email": "Books@Acme.test", "currency": "USD", "city": "Boston"},
    )
    assert response.status_code == 302
    client = Client.objects.get(firm=firm)
    assert (client.name, client.email, client.city) == ("Acme Ltd", "books@acme.test", "Boston")


def test_invalid_client_form_shows_field_errors_and_writes_nothing(member_client):
    response = member_client.post(
        reverse("clients:create"), {"name": "", "email": "not-an-email", "currency": "XXX"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"name", "email", "currency"}
    assert b"errorlist" in response.content
    assert Client.objects.count() == 0


def test_client_form_errors_sit_inside_their_field(member_client):
    response = member_client.post(reverse("clients:create"), {"name": "", "currency": "USD"})
    html = response.content.decode()
    field = html.split('<div class="field field-name">')[1].split("</div>")[0]
    assert 'class="errorlist' in field
    assert "Name:</label>" not in html
    assert "<p>" not in html.split("novalidate>")[1].split("</form>")[0]


def test_edit_saves_changes(member_client, firm):
    client = client_build(firm=firm, name="Old")
    response = member_client.post(
        reverse("clients:edit", args=[client.pk]),
        {"name": "New", "email": client.email, "currency": "GBP", "reminders_opt_out": "on"},
    )
    assert response.status_code == 302
    client.refresh_from_db()
    assert (client.name, client.currency, client.reminders_opt_out) == ("New", "GBP", True)


def test_list_searches_and_htmx_gets_only_the_table(member_client, firm):
    client_build(firm=firm, name="Acme Ltd")
    client_build(firm=firm, name="Bright Co")
    response = member_client.get(reverse("clients:list"), {"q": "acm"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Acme Ltd" in body and "Bright Co" not in body
    assert "<h1>" not in body


def test_archive_hides_the_client_from_the_list(member_client, firm):
    client = client_build(firm=firm, name="Gone Ltd")
    assert member_client.post(reverse("clients:archive", args=[client.pk])).status_code == 302
    assert member_client.get(reverse("clients:list")).context["clients"] == []
    listed = member_client.get(reverse("clients:list"), {"archived": "on"}).context["clients"]
    assert listed == [client]


def test_another_firms_client_pages_are_404(member_client):
    theirs = client_build(firm=firm_build())
    assert member_client.get(reverse("clients:edit", args=[theirs.pk])).status_code == 404
    assert member_client.post(reverse("clients:archive", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.archived_at is None


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("clients:list"))
    assert response.status_code == 302 and "/login/" in response["Location"]
