"""Notes when a signed-in user was last seen, for "is this member online?" (no request
in the last five minutes). Cheap: a process-local cache skips the database for a minute."""

from django.core.cache import cache
from django.utils import timezone

from firmpay.helpdesk.services import presence_touch

CACHE_SECONDS = 60


class PresenceMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            key = f"helpdesk:seen:{user.pk}"
            if cache.add(key, 1, CACHE_SECONDS):
                presence_touch(user=user, now=timezone.now())
        return self.get_response(request)
