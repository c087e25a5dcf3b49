"""Only Firmpay support staff (Django `is_staff`) reach the back office; to anyone else
it does not exist (404)."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404


def support_staff_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (request.user.is_active and request.user.is_staff):
            raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return wrapped
