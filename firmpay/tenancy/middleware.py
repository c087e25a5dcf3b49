"""Sets request.firm and request.membership from the session's chosen firm."""

from firmpay.tenancy.selectors import membership_current

SESSION_FIRM_KEY = "firm_id"


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
        return self.get_response(request)
