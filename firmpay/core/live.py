"""Pages that follow webhooks by themselves: htmx polls the page's own URL with the
`since=` stamp it was drawn from; while nothing changed the answer is an empty 204 (htmx
swaps nothing), otherwise the page is drawn again and htmx takes the live part from it
(`hx-select`). No script of our own, so the Content-Security-Policy stays as it is.

A page stops polling by rendering its live part without `hx-trigger` once nothing can
change any more (an invoice paid or void, no payment left in flight).
"""

from __future__ import annotations

import hashlib

from django.http import HttpResponse

# How often a live part asks again, in seconds.
POLL_SECONDS = 3


def live_stamp(*parts) -> str:
    """A short fingerprint of what the live part shows."""
    return hashlib.blake2s(repr(parts).encode(), digest_size=8).hexdigest()


def live_url(request, stamp: str) -> str:
    """This page's URL (its filters kept) with `since=stamp`."""
    query = request.GET.copy()
    query["since"] = stamp
    return f"{request.path}?{query.urlencode()}"


def unchanged(request, stamp: str) -> HttpResponse | None:
    """204 when an htmx poll already shows what `stamp` describes; None otherwise."""
    if request.headers.get("HX-Request") == "true" and request.GET.get("since") == stamp:
        return HttpResponse(status=204)
    return None
