"""The sign-up time zone picker (issue 18, point 7): the country's zones first under names a
person reads, a default from the country instead of UTC, none of tzdata's odd entries, and
redrawn for another country."""

import re

import pytest

from firmpay.tenancy.forms import FirmForm, SignupForm
from firmpay.tenancy.models import Firm

pytestmark = pytest.mark.django_db


def options(html: str) -> list[str]:
    return re.findall(r'<option value="([^"]*)"', html)


def test_signup_defaults_a_us_firm_to_eastern_with_us_zones_first(client):
    page = client.get("/signup/").content.decode()
    select = page[page.index('name="timezone"') :]
    select = select[: select.index("</select>")]
    assert '<optgroup label="United States">' in select
    assert options(select)[:3] == ["America/New_York", "America/Chicago", "America/Denver"]
    assert '<option value="America/New_York" selected>Eastern (New York)</option>' in select
    assert not {"Factory", "localtime", "posixrules", "US/Eastern", "Etc/GMT+5"} & set(
        options(select)
    )


def test_choosing_another_country_redraws_the_picker(client):
    page = client.get("/signup/").content.decode()
    assert 'hx-get="/signup/timezone/"' in page and 'hx-target=".field-timezone"' in page
    fragment = client.get("/signup/timezone/?country=GB").content.decode()
    assert fragment.startswith('<div class="field field-timezone">')
    assert '<option value="Europe/London" selected>' in fragment
    assert '<label for="id_timezone">Time zone</label>' in fragment


def test_any_real_zone_can_still_be_chosen():
    form = SignupForm(data={"country": "GB", "timezone": "Asia/Kolkata"})
    form.is_valid()
    assert "timezone" not in form.errors
    assert "timezone" in SignupForm(data={"country": "GB", "timezone": "Factory"}).errors


def test_firm_settings_keep_a_stored_zone_outside_the_list():
    firm = Firm(name="Old Firm", country="US", timezone="US/Eastern")
    form = FirmForm(instance=firm)
    assert form["timezone"].value() == "US/Eastern"
    assert "US/Eastern" in options(str(form["timezone"]))
