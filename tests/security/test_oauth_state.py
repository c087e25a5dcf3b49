"""The OAuth `state` ties the callback to the firm, user and browser session that started it."""

from urllib.parse import parse_qs, urlparse

import pytest

from firmpay.payments.models import PaymentAccount
from firmpay.tenancy.tests.factories import client_for, make_firm, make_owner

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("stripe_settings")]

START = "/settings/integrations/stripe/oauth/start/"
CALLBACK = "/settings/integrations/stripe/oauth/callback/"
STATE_REFUSED = "That Stripe connection link is invalid"


def start(client) -> str:
    response = client.post(START)
    assert response.status_code == 302, response
    return parse_qs(urlparse(response["Location"]).query)["state"][0]


def callback(client, state: str):
    response = client.get(CALLBACK, {"state": state, "code": "ac_stolen_code"}, follow=True)
    return response.content.decode()


@pytest.fixture
def firm_a():
    firm = make_firm(plan="pro")
    return firm, make_owner(firm)


def test_state_used_from_another_firm_is_refused(firm_a):
    firm, owner = firm_a
    state = start(client_for(owner, firm))
    other = make_firm(plan="pro")
    page = callback(client_for(make_owner(other), other), state)
    assert STATE_REFUSED in page
    assert not PaymentAccount.objects.exists()


def test_state_used_from_another_browser_session_of_the_same_user_is_refused(firm_a):
    firm, owner = firm_a
    state = start(client_for(owner, firm))
    page = callback(client_for(owner, firm), state)  # a second log-in: another session
    assert STATE_REFUSED in page
    assert not PaymentAccount.objects.exists()


def test_state_from_the_same_session_gets_as_far_as_the_code(firm_a):
    firm, owner = firm_a
    client = client_for(owner, firm)
    page = callback(client, start(client))
    assert STATE_REFUSED not in page
    assert "Stripe did not accept the authorization" in page  # the fake code, not the state


def test_a_forged_state_is_refused(firm_a):
    firm, owner = firm_a
    page = callback(client_for(owner, firm), "forged-" + "a" * 40)
    assert STATE_REFUSED in page
