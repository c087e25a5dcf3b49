"""Pages of the firm app show times on the firm's clock; nothing of it leaks past the request."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from firmpay.tenancy.middleware import SESSION_FIRM_KEY, CurrentFirmMiddleware
from firmpay.tenancy.tests.factories import make_firm, make_member

pytestmark = pytest.mark.django_db


def zone_during_request(user, firm_id=None):
    seen = []

    def view(request):
        seen.append(timezone.get_current_timezone_name())
        return HttpResponse()

    request = RequestFactory().get("/")
    request.user = user
    request.session = {SESSION_FIRM_KEY: firm_id}
    CurrentFirmMiddleware(view)(request)
    return seen[0]


def test_a_members_request_runs_on_the_firms_clock_and_ends_back_on_utc():
    firm = make_firm(tz="Asia/Tokyo")
    user = make_member(firm).user
    assert zone_during_request(user, firm.pk) == "Asia/Tokyo"
    assert timezone.get_current_timezone_name() == "UTC"


def test_requests_without_a_firm_stay_on_utc():
    assert zone_during_request(AnonymousUser()) == "UTC"


def test_an_unknown_zone_name_falls_back_to_utc():
    firm = make_firm(tz="Mars/Olympus_Mons")
    assert zone_during_request(make_member(firm).user, firm.pk) == "UTC"
