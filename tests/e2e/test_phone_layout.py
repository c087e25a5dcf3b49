"""The firm app on a phone (390 px): the top bar wraps and wide tables scroll inside their own
box, so no page is wider than the screen (they were ~990 px wide)."""

import pytest

from firmpay.demo.seed import OWNER_EMAIL, PASSWORD, demo_seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    "/invoices/",
    "/clients/",
    "/payments/",
    "/reminders/",
    "/settings/members/",
    "/settings/plan/",
    "/settings/audit/",
]


def test_no_firm_page_is_wider_than_a_phone(live_server, new_context):
    demo_seed()
    page = new_context(viewport={"width": 390, "height": 844}).new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", OWNER_EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit], main form button").first.click()
    page.wait_for_url(f"{live_server.url}/invoices/")
    widths = {}
    for path in PAGES:
        page.goto(f"{live_server.url}{path}")
        widths[path] = page.evaluate("document.documentElement.scrollWidth")
    assert widths == dict.fromkeys(PAGES, 390)
    scroller = page.locator(".table-scroll").first
    assert scroller.evaluate("e => e.scrollWidth > e.clientWidth")  # the audit log scrolls
