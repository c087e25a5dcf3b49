from functools import wraps

from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.cache import never_cache

from firmpay.portal.selectors import portal_firm_get
from firmpay.portal.session import portal_session_client


def portal_headers(response):
    # Links carry bearer tokens: never send them to other sites in a Referer.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


def portal_page(view):
    """The firm from the URL, the client from the portal session (for that firm only);
    without one, back to the firm's sign-in page."""

    @never_cache
    @wraps(view)
    def wrapper(request, firm_key, *args, **kwargs):
        firm = portal_firm_get(firm_key=firm_key)
        client = portal_session_client(request, firm=firm)
        if client is None:
            return redirect(reverse("portal:home", kwargs={"firm_key": firm.portal_key}))
        request.portal_firm, request.portal_client = firm, client
        return portal_headers(view(request, *args, **kwargs))

    return wrapper
