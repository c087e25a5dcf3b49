"""The firm side of help is for members of the current firm; to anyone else it does not
exist (404). Anonymous visitors are sent to log in."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404


def help_member_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if getattr(request, "membership", None) is None:
            raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return wrapped
