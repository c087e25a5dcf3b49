"""Every URL in the configuration refuses a POST without a CSRF token (403), found by
walking the resolver, not by a hand-picked list. A view may skip CSRF only when it is in
EXEMPT with the reason."""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from firmpay.tenancy.middleware import SESSION_FIRM_KEY
from firmpay.tenancy.tests.factories import make_firm, make_owner

EXEMPT = {
    "i/<str:token>/autopay/": "the client's 'Pay automatically from now on' button under the "
    "invoice token, as the Pay button: no-referrer page, no session; all it does is open a "
    "Stripe setup page",
    "autopay/<str:token>/start/": "the client's autopay page (signed per-client token, "
    "no-referrer, no session): opens a Stripe setup page",
    "autopay/<str:token>/revoke/": "the client's autopay page (signed per-client token, "
    "no-referrer, no session): the token is the credential, the only effect is ending the "
    "client's own automatic payments",
    "autopay/<str:token>/renew/": "the expired autopay page's 'Email me a new link' (signed "
    "per-client token, no session): the only effect is a fresh link emailed to the client's "
    "address on file, at most once in 10 minutes",
    "webhooks/stripe/": "Stripe's server posts here without cookies; every body is verified "
    "against the endpoint's signing secret (tests/security/test_webhooks.py)",
    "reminders/unsubscribe/<str:token>/": "RFC 8058 one-click unsubscribe: mail apps POST "
    "without cookies; the signed, per-client token is the credential and the only effect is "
    "stopping reminders to that client (firmpay/reminders)",
    "i/<str:token>/pay/": "the client's Pay button under the unguessable invoice token; the "
    "client page is no-referrer and carries no session (no ambient authority to ride on); "
    "a forged post can only open a Checkout Session the client still has to pay",
}
DUMMY = {
    "int": "1",
    "portal_key": "0" * 32,
    "str": "abc123",
    "slug": "abc-123",
    "uuid": str(uuid.uuid4()),
    "path": "a/b",
}


def walk(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from walk(entry, route)
        elif isinstance(entry, URLPattern):
            yield route, entry.callback


def concrete(route: str) -> str:
    if route.startswith("^"):
        raise AssertionError(f"regex route {route!r}: teach this test to build it")
    return "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: DUMMY[m.group(1) or "str"], route)


ROUTES = sorted({route: callback for route, callback in walk()}.items())


def test_the_walk_finds_the_apps_forms():
    routes = {route for route, _ in ROUTES}
    assert {"login/", "clients/new/", "webhooks/stripe/"} <= routes
    assert len(routes) > 40


def test_only_allow_listed_views_skip_csrf():
    exempt = {route for route, callback in ROUTES if getattr(callback, "csrf_exempt", False)}
    assert exempt == set(EXEMPT), "a csrf_exempt view needs an entry (and reason) in EXEMPT"


@pytest.fixture
def member_client(db):
    firm = make_firm(plan="pro")
    owner = make_owner(firm)
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    session = client.session
    session[SESSION_FIRM_KEY] = firm.pk
    session.save()
    return client


@pytest.mark.parametrize("route", [r for r, cb in ROUTES if not getattr(cb, "csrf_exempt", False)])
def test_post_without_a_csrf_token_is_refused(member_client, route):
    response = member_client.post(concrete(route), {"name": "x"})
    assert response.status_code == 403, f"{route} answered {response.status_code}"
    assert b"CSRF" in response.content


def test_a_token_makes_the_same_post_pass_the_check(member_client):
    page = member_client.get("/clients/new/")
    token = page.cookies["csrftoken"].value
    response = member_client.post("/clients/new/", {"name": ""}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code != 403
