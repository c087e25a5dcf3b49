"""The Stripe card follows the account by itself while it can still change (issue 18,
point 1): it polls a fragment of its own, which brings the banner along so the two never
disagree, and it stops polling once the account is active."""

import re

import pytest

from firmpay.integrations.tests.test_alerts_agree import CASES, store_account

pytestmark = pytest.mark.usefixtures("stripe_settings")
CARD = "/settings/integrations/stripe/card/"
UNDER_REVIEW = next(case for case in CASES if case.name == "under review")
ACTIVE = next(case for case in CASES if case.name == "active")


def polls(page: str, element_id: str) -> bool:
    return bool(re.search(rf'id="{element_id}"[^>]*hx-trigger="every \d+s"', page))


def test_a_card_under_review_polls_its_fragment(firm, owner_client):
    store_account(firm, UNDER_REVIEW)
    page = owner_client.get("/settings/integrations/").content.decode()
    assert polls(page, "stripe-card") and f'hx-get="{CARD}?since=' in page


def test_the_fragment_brings_the_new_state_and_the_banner(firm, owner_client):
    store_account(firm, UNDER_REVIEW)
    fragment = owner_client.get(CARD, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment
    assert 'id="stripe-status">Under review' in fragment
    assert 'id="firm-banners" hx-swap-oob="true"' in fragment and "Stripe is reviewing" in fragment


def test_an_active_card_and_its_manage_panel_stop_polling(firm, owner_client):
    store_account(firm, ACTIVE)
    assert not polls(owner_client.get("/settings/integrations/").content.decode(), "stripe-card")
    manage = owner_client.get(
        "/settings/integrations/stripe/manage/", headers={"HX-Request": "true"}
    )
    assert not polls(manage.content.decode(), "stripe-manage")


def test_manage_under_review_polls(firm, owner_client):
    store_account(firm, UNDER_REVIEW)
    manage = owner_client.get(
        "/settings/integrations/stripe/manage/", headers={"HX-Request": "true"}
    )
    assert polls(manage.content.decode(), "stripe-manage")


def poll_url(page: str, element_id: str) -> str:
    return re.search(rf'id="{element_id}"[^>]*hx-get="([^"]+)"', page).group(1)


def test_the_card_and_manage_polls_hear_nothing_while_nothing_changes(firm, owner_client):
    store_account(firm, UNDER_REVIEW)
    htmx = {"HX-Request": "true"}
    card = poll_url(owner_client.get("/settings/integrations/").content.decode(), "stripe-card")
    manage_page = owner_client.get("/settings/integrations/stripe/manage/", headers=htmx)
    manage = poll_url(manage_page.content.decode(), "stripe-manage")
    assert owner_client.get(card, headers=htmx).status_code == 204
    assert owner_client.get(manage, headers=htmx).status_code == 204
