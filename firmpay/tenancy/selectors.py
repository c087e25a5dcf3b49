from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import get_object_or_404

from firmpay.core.models import AuditRecord
from firmpay.tenancy.models import Invitation, Membership, PlanChange, Role, User
from firmpay.tenancy.tokens import invitation_token_hash


def membership_current(*, user, firm_id) -> Membership | None:
    """The member's chosen firm, or their first one when none (or a foreign one) is chosen.
    Picked from `user.signed_in_memberships` when the request's user was read with them
    (`firmpay.tenancy.backends.MemberBackend`, this request), else read here."""
    read = getattr(user, "signed_in_memberships", None)
    if read is not None:
        chosen = [membership for membership in read if membership.firm_id == firm_id]
        return (chosen or read or [None])[0]
    memberships = Membership.objects.select_related("firm").order_by("id")
    if firm_id is not None:
        # One filter call for both columns: this runs on every signed-in request.
        chosen = memberships.filter(user=user, firm_id=firm_id).first()
        if chosen is not None:
            return chosen
    return memberships.filter(user=user).first()


def memberships_for_user(*, user):
    return Membership.objects.filter(user=user).select_related("firm").order_by("firm__name")


def members_of_firm(*, firm):
    role_order = Case(
        When(role=Role.OWNER, then=Value(0)),
        When(role=Role.ADMIN, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        Membership.objects.filter(firm=firm)
        .select_related("user")
        .order_by(role_order, "user__email")
    )


def membership_of_firm_or_404(*, firm, membership_id) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user", "firm"), firm=firm, pk=membership_id
    )


def invitations_pending(*, firm):
    return (
        Invitation.objects.pending()
        .filter(firm=firm)
        .select_related("invited_by")
        .order_by("-created_at")
    )


def invitation_of_firm_or_404(*, firm, invitation_id) -> Invitation:
    return get_object_or_404(Invitation.objects.select_related("firm"), firm=firm, pk=invitation_id)


def invitation_by_token(*, token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("firm", "invited_by")
        .filter(token=invitation_token_hash(token))
        .first()
    )


def plan_changes(*, firm, limit: int = 10):
    return PlanChange.objects.filter(firm=firm).select_related("changed_by")[:limit]


def audit_records_of_firm(*, firm):
    """Newest first; the (firm, -created_at) index serves it."""
    return (
        AuditRecord.objects.filter(firm=firm).select_related("actor").order_by("-created_at", "-id")
    )


def user_exists(*, email: str) -> bool:
    return User.objects.filter(email__iexact=email.strip()).exists()
