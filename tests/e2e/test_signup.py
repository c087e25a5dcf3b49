"""Sign up in Chromium: the new firm's owner lands in the app with the firm's name shown,
logs out, and logs in again with the email in another case."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "Owner@Ledger-Sons.test"
PASSWORD = "a-long-password-2026"


def test_sign_up_log_out_and_log_in_again(live_server, page):
    page.goto(f"{live_server.url}/signup/")
    page.get_by_label("Your name").fill("Ada Ledger")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Firm name").fill("Ledger & Sons")
    # The time zone follows the country: its zones first, its main zone chosen.
    expect(page.get_by_label("Time zone")).to_have_value("America/New_York")
    page.get_by_label("Country").select_option("GB")
    page.get_by_label("Default currency").select_option("GBP")
    expect(page.get_by_label("Time zone")).to_have_value("Europe/London")
    expect(page.locator("#id_timezone optgroup").first).to_have_attribute("label", "United Kingdom")
    page.get_by_role("button", name="Create my firm").click()

    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page.locator(".who .firm-name")).to_have_text("Ledger & Sons")
    expect(page.get_by_text("Ledger & Sons is ready")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)

    page.get_by_label("Email").fill(EMAIL.lower())
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".who .firm-name")).to_have_text("Ledger & Sons")

    page.goto(f"{live_server.url}/settings/firm/")
    expect(page.get_by_label("Name", exact=True)).to_have_value("Ledger & Sons")
    expect(page.get_by_label("Default currency")).to_have_value("GBP")


def test_signing_up_with_a_taken_email_shows_the_error_on_the_field(live_server, page):
    from firmpay.tenancy.tests.factories import make_user

    make_user("taken@ledger.test")
    page.goto(f"{live_server.url}/signup/")
    page.get_by_label("Email").fill("TAKEN@ledger.test")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Firm name").fill("Second Firm")
    page.get_by_role("button", name="Create my firm").click()

    expect(page.locator(".field-email .errorlist")).to_contain_text("already exists")
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)
