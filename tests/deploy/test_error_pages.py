"""With DEBUG off, a stale client link, a forbidden page and a crash show Firmpay pages that say
what to do next, not the server's bare 'Not Found'."""

import pytest
from django.template.loader import render_to_string
from django.test import Client, override_settings

from firmpay.clients.tests.builders import firm_build, member_build
from firmpay.tenancy.models import Role


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_a_revoked_or_mistyped_client_link_says_to_ask_the_firm_for_a_new_one():
    response = Client().get("/i/no-such-token/")
    assert response.status_code == 404
    assert "Ask the firm that sent you the invoice for a fresh link" in response.content.decode()


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_staff_refused_a_manager_page_are_told_who_can_do_it():
    firm = firm_build()
    client = Client()
    client.force_login(member_build(firm=firm, role=Role.STAFF))
    response = client.get("/settings/integrations/stripe/connect/")
    assert response.status_code == 403
    assert "Ask an owner or admin" in response.content.decode()


def test_the_server_error_page_renders_without_a_request():
    assert "Something went wrong on our side" in render_to_string("500.html")
