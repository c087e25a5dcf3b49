"""Refuses, with 400, a request whose path, query string or form carries a NUL character.

No page takes one, SQLite stores it silently and PostgreSQL refuses it mid-query (a 500):
one check here instead of one in every view that reads request.GET or request.POST."""

from django.http import HttpResponseBadRequest

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class NullCharacterMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            return HttpResponseBadRequest(
                "The request contains a null character.", content_type="text/plain"
            )
        return self.get_response(request)


def _has_nul(request) -> bool:
    if "\x00" in request.path:
        return True
    parts = [request.GET]
    if request.method == "POST" and request.content_type in FORM_TYPES:
        # Read the body first: the view may still want request.body (the webhook does),
        # which Django refuses once a multipart stream was parsed. Firmpay takes no uploads.
        request.body  # noqa: B018 - buffers it
        parts.append(request.POST)
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for part in parts
        for key, values in part.lists()
    )
