"""View guards: a firm member, or a member whose role may take an action (the table in
`firmpay.tenancy.roles`)."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from firmpay.tenancy.roles import Action, role_may


def _guard(check):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if request.membership is None:
                # Firmpay support staff belong to no firm: their home is the back office.
                if request.user.is_staff:
                    return redirect("support:index")
                return redirect("tenancy:firm_create")
            if not check(request.membership):
                raise PermissionDenied("Your role in this firm cannot do that.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def action_required(action: Action):
    """Only members whose role may take `action`."""
    return _guard(lambda membership: role_may(membership.role, action))


member_required = _guard(lambda membership: True)
# Older names, still read by code written before the roles table: prefer action_required.
manager_required = _guard(lambda membership: membership.can_manage)
owner_required = _guard(lambda membership: membership.is_owner)
