"""Every page names Firmpay's icon, and /favicon.ico leads to it (it was a 404 on every
page, issue 18 point 9)."""

import pytest
from django.contrib.staticfiles import finders


@pytest.mark.django_db
def test_pages_name_the_icon_and_it_exists(client):
    page = client.get("/login/").content.decode()
    assert '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">' in page
    assert finders.find("img/favicon.svg")


def test_favicon_ico_redirects_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/img/favicon.svg"
