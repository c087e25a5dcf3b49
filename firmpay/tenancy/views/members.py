"""Members: the list, invitations (send, revoke, accept), role changes and removal."""

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from firmpay.core.identity import email_normalise
from firmpay.tenancy import selectors, services
from firmpay.tenancy.decorators import action_required, member_required
from firmpay.tenancy.exceptions import RoleNotAllowed, TenancyError
from firmpay.tenancy.forms import InvitationForm, NewMemberForm, RoleForm
from firmpay.tenancy.roles import Action, grantable_choices
from firmpay.tenancy.views import redirect_home, session_firm_set


@member_required
def members(request):
    return _members_page(request, InvitationForm(actor_role=request.membership.role))


def _members_page(request, invite_form, status=200):
    firm, membership = request.firm, request.membership
    may_invite = membership.may(Action.MEMBER_INVITE)
    context = {
        "members": selectors.members_of_firm(firm=firm),
        "invitations": selectors.invitations_pending(firm=firm) if may_invite else [],
        "invite_form": invite_form if may_invite else None,
        "roles": grantable_choices(membership.role),
        "settings_section": "members",
    }
    return render(request, "tenancy/members.html", context, status=status)


@require_POST
@action_required(Action.MEMBER_INVITE)
def invitation_create(request):
    form = InvitationForm(request.POST, actor_role=request.membership.role)
    if form.is_valid():
        try:
            invitation, _token = services.invitation_create(
                firm=request.firm,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
                request=request,
            )
        except TenancyError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect("tenancy:members")
    return _members_page(request, form, status=400)


@require_POST
@action_required(Action.MEMBER_INVITE)
def invitation_revoke(request, invitation_id):
    invitation = selectors.invitation_of_firm_or_404(firm=request.firm, invitation_id=invitation_id)
    if services.invitation_revoke(invitation=invitation, actor=request.user, request=request):
        messages.success(request, f"Invitation for {invitation.email} withdrawn.")
    else:
        messages.info(request, f"The invitation for {invitation.email} was no longer pending.")
    return redirect("tenancy:members")


@require_POST
@member_required
def membership_role(request, membership_id):
    membership = selectors.membership_of_firm_or_404(firm=request.firm, membership_id=membership_id)
    if not request.membership.permissions.change_roles:
        raise PermissionDenied("Your role cannot change roles.")
    form = RoleForm(request.POST, actor_role=request.membership.role)
    if not form.is_valid():
        messages.error(request, "Choose a role.")
        return redirect("tenancy:members")
    try:
        changed = services.membership_change_role(
            membership=membership,
            role=form.cleaned_data["role"],
            actor=request.user,
            request=request,
        )
    except RoleNotAllowed as error:
        raise PermissionDenied(error.message) from error
    except TenancyError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{changed.user.email} is now {changed.get_role_display()}.")
    return redirect("tenancy:members")


@require_POST
@member_required
def membership_remove(request, membership_id):
    membership = selectors.membership_of_firm_or_404(firm=request.firm, membership_id=membership_id)
    try:
        services.membership_remove(membership=membership, actor=request.user, request=request)
    except RoleNotAllowed as error:
        raise PermissionDenied(error.message) from error
    except TenancyError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{membership.user.email} no longer has access to the firm.")
    return redirect("tenancy:members")


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    """The link in the invitation email. GET only shows; POST joins (link scanners never do)."""
    invitation = selectors.invitation_by_token(token=token)
    if invitation is None:
        raise Http404("No such invitation.")
    context = {"invitation": invitation, "problem": None, "form": None}
    if invitation.state != "pending":
        context["problem"] = services.invitation_refusal(invitation)
        return render(request, "tenancy/invitation_accept.html", context, status=410)
    if request.user.is_authenticated:
        return _accept_signed_in(request, invitation, context)
    if selectors.user_exists(email=invitation.email):
        context["needs_login"] = True
        return render(request, "tenancy/invitation_accept.html", context)
    return _accept_new_user(request, invitation, context)


def _accept_signed_in(request, invitation, context):
    if email_normalise(request.user.email) != email_normalise(invitation.email):
        context["wrong_user"] = True
        return render(request, "tenancy/invitation_accept.html", context, status=403)
    if request.method == "POST":
        try:
            membership = services.invitation_accept(
                invitation=invitation, user=request.user, request=request
            )
        except TenancyError as error:
            context["problem"] = error.message
            return render(request, "tenancy/invitation_accept.html", context, status=409)
        return _joined(request, membership)
    return render(request, "tenancy/invitation_accept.html", context)


def _accept_new_user(request, invitation, context):
    form = NewMemberForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user, membership = services.invitation_accept_new_user(
                invitation=invitation,
                name=form.cleaned_data["name"],
                password=form.cleaned_data["password"],
                request=request,
            )
        except TenancyError as error:
            context["problem"] = error.message
            return render(request, "tenancy/invitation_accept.html", context, status=409)
        login(request, user)
        return _joined(request, membership)
    context["form"] = form
    return render(request, "tenancy/invitation_accept.html", context)


def _joined(request, membership):
    session_firm_set(request, membership.firm)
    messages.success(
        request, f"You joined {membership.firm.name} as {membership.get_role_display()}."
    )
    return redirect_home()
