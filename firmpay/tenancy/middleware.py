"""Sets request.firm and request.membership from the session's chosen firm, and shows times
in the firm's timezone while a firm is current."""

import datetime
import zoneinfo

from django.utils import timezone

from firmpay.tenancy.selectors import membership_current

SESSION_FIRM_KEY = "firm_id"


def firm_timezone(firm) -> datetime.tzinfo:
    try:
        return zoneinfo.ZoneInfo(firm.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return datetime.UTC


class CurrentFirmMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        request.firm = None
        if request.user.is_authenticated:
            membership = membership_current(
                user=request.user, firm_id=request.session.get(SESSION_FIRM_KEY)
            )
            if membership is not None:
                request.membership = membership
                request.firm = membership.firm
        if request.firm is None:
            return self.get_response(request)
        # Templates, forms and __date lookups then use the firm's wall clock, as reminders do.
        timezone.activate(firm_timezone(request.firm))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
