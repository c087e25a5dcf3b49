"""Signing in to a firm's portal without a password: an emailed link, used once, expiring,
throttled, and the same answer whether or not the address is one of the firm's clients."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client as Browser
from django.utils import timezone

from firmpay.portal.models import PortalSignInLink
from firmpay.portal.tests.builders import (
    follow_link,
    portal_customer,
    portal_url,
    request_link,
    sent_invoice,
    signed_in,
    signin_links,
)

# Transactional: sign-in emails go out after commit, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


def test_a_client_signs_in_by_email_link_and_sees_their_open_invoices(firm):
    client = portal_customer(firm)
    invoice = sent_invoice(firm, client)
    browser = Browser()
    answer = request_link(browser, firm, client.email.upper())
    assert answer.status_code == 200
    assert b"a sign-in link is on its way" in answer.content
    ((firm_key, token),) = signin_links(client.email)
    assert firm_key == firm.portal_key
    assert browser.get(portal_url("home", firm)).context["client"] is None
    follow_link(browser, firm_key, token)
    page = browser.get(portal_url("home", firm))
    assert page.context["client"] == client
    assert invoice.number in page.content.decode()


def _without_csrf(response) -> str:
    return re.sub(r'(X-CSRFToken": "|value=")[^"]+', "", response.content.decode())


def test_an_unknown_address_gets_the_same_answer_and_no_email(firm):
    client = portal_customer(firm)
    known = request_link(Browser(), firm, client.email, ip="10.0.0.1")
    unknown = request_link(Browser(), firm, "nobody@acme.test", ip="10.0.0.2")
    assert (known.status_code, unknown.status_code) == (200, 200)
    assert _without_csrf(known) == _without_csrf(unknown)
    assert [m.to for m in mail.outbox] == [[client.email]]


def test_the_link_signs_in_once(firm):
    client = portal_customer(firm)
    request_link(Browser(), firm, client.email)
    ((firm_key, token),) = signin_links(client.email)
    first, second = Browser(), Browser()
    follow_link(first, firm_key, token)
    follow_link(second, firm_key, token)
    assert first.get(portal_url("home", firm)).context["client"] == client
    page = second.get(portal_url("home", firm))
    assert page.context["client"] is None
    assert "expired or was already used" in page.content.decode()


def test_opening_the_link_without_pressing_sign_in_uses_nothing(firm):
    client = portal_customer(firm)
    request_link(Browser(), firm, client.email)
    ((firm_key, token),) = signin_links(client.email)
    scanner = Browser()
    scanner.get(portal_url("signin_link", firm, token=token))
    assert PortalSignInLink.objects.get().used_at is None


def test_the_link_expires(firm):
    client = portal_customer(firm)
    request_link(Browser(), firm, client.email)
    ((firm_key, token),) = signin_links(client.email)
    browser = Browser()
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        follow_link(browser, firm_key, token)
        assert browser.get(portal_url("home", firm)).context["client"] is None


def test_requests_are_throttled_per_address_known_or_not(firm):
    client = portal_customer(firm)
    for ip in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        assert request_link(Browser(), firm, client.email, ip=ip).status_code == 200
        assert request_link(Browser(), firm, "nobody@acme.test", ip=ip).status_code == 200
    known = request_link(Browser(), firm, client.email, ip="10.0.0.4")
    unknown = request_link(Browser(), firm, "nobody@acme.test", ip="10.0.0.5")
    assert (known.status_code, unknown.status_code) == (429, 429)
    assert b"Too many sign-in requests" in known.content
    assert len(signin_links(client.email)) == 3


def test_requests_are_throttled_per_ip(firm, settings):
    settings.PORTAL_SIGNIN_PER_IP = 4
    for n in range(4):
        assert request_link(Browser(), firm, f"x{n}@acme.test", ip="10.9.9.9").status_code == 200
    assert request_link(Browser(), firm, "x9@acme.test", ip="10.9.9.9").status_code == 429


def test_a_link_is_for_its_own_firm_only(firm, other_firm):
    client = portal_customer(firm)
    request_link(Browser(), firm, client.email)
    ((_firm_key, token),) = signin_links(client.email)
    browser = Browser()
    follow_link(browser, other_firm.portal_key, token)
    assert browser.get(portal_url("home", other_firm)).context["client"] is None
    assert browser.get(portal_url("home", firm)).context["client"] is None


def test_a_client_of_two_firms_signs_in_to_each_separately(firm, other_firm):
    email = "finance@both.test"
    here = portal_customer(firm, email=email)
    there = portal_customer(other_firm, email=email)
    sent_invoice(other_firm, there)
    browser = signed_in(here)
    assert browser.get(portal_url("home", firm)).context["client"] == here
    assert browser.get(portal_url("home", other_firm)).context["client"] is None
    request_link(browser, other_firm, email, ip="10.3.3.3")
    firm_key, token = signin_links(email)[-1]
    follow_link(browser, firm_key, token)
    assert browser.get(portal_url("home", other_firm)).context["client"] == there
    assert browser.get(portal_url("home", firm)).context["client"] == here


def test_a_contact_at_two_client_businesses_gets_one_link_each(firm):
    first = portal_customer(firm, name="Acme Ltd", email="pat@contact.test")
    second = portal_customer(firm, name="Beta LLC", email="pat@contact.test")
    request_link(Browser(), firm, "pat@contact.test")
    links = signin_links("pat@contact.test")
    assert len(links) == 2
    clients = set()
    for firm_key, token in links:
        browser = Browser()
        follow_link(browser, firm_key, token)
        clients.add(browser.get(portal_url("home", firm)).context["client"])
    assert clients == {first, second}


def test_signing_out_ends_the_portal_session(firm):
    client = portal_customer(firm)
    browser = signed_in(client)
    browser.post(portal_url("signout", firm))
    assert browser.get(portal_url("home", firm)).context["client"] is None


def test_a_firm_member_signed_in_to_the_app_is_not_a_portal_client(firm, owner_client):
    portal_customer(firm)
    page = owner_client.get(portal_url("paid", firm))
    assert page.status_code == 302
