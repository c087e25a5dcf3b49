"""Writes for people and firms: sign up, firms, invitations, memberships, plans.

Every service runs in one transaction; emails go out after it commits; sensitive changes
write an audit record (who, what, from where)."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from firmpay.core.audit import audit_record_create
from firmpay.core.identity import email_normalise
from firmpay.tenancy.exceptions import (
    AlreadyMember,
    EmailTaken,
    InvitationUnusable,
    LastOwner,
    RoleNotAllowed,
    TenancyError,
)
from firmpay.tenancy.models import (
    Firm,
    Invitation,
    Membership,
    Plan,
    PlanChange,
    Role,
    User,
)
from firmpay.tenancy.roles import Action, may_change_role, may_grant, may_remove, role_may
from firmpay.tenancy.tokens import invitation_token_hash, invitation_token_new

logger = logging.getLogger(__name__)

INVITATION_LIFETIME = timedelta(days=7)
FIRM_EDITABLE_FIELDS = (
    "name",
    "email",
    "country",
    "default_currency",
    "timezone",
    "payment_terms_days",
    "bank_details",
)


def user_signup(
    *,
    name: str,
    email: str,
    password: str,
    firm_name: str,
    country: str,
    default_currency: str,
    timezone_name: str,
    request=None,
) -> tuple[User, Firm]:
    """A new user, their firm and their owner membership, all or nothing."""
    with transaction.atomic():
        user = _user_create(name=name, email=email, password=password)
        firm = firm_create(
            owner=user,
            name=firm_name,
            country=country,
            default_currency=default_currency,
            timezone_name=timezone_name,
            request=request,
        )
    return user, firm


def _user_create(*, name: str, email: str, password: str) -> User:
    try:
        with transaction.atomic():
            return User.objects.create_user(email.strip(), password, name=name.strip())
    except IntegrityError as error:
        raise EmailTaken("An account with this email already exists. Log in instead.") from error


def firm_create(
    *,
    owner: User,
    name: str,
    country: str,
    default_currency: str,
    timezone_name: str,
    request=None,
) -> Firm:
    """A firm with `owner` as its owner."""
    with transaction.atomic():
        firm = Firm.objects.create(
            name=name.strip(),
            country=country,
            default_currency=default_currency,
            timezone=timezone_name,
            email=owner.email,
        )
        Membership.objects.create(firm=firm, user=owner, role=Role.OWNER)
        audit_record_create(
            action="firm.created", firm=firm, actor=owner, target=firm, request=request
        )
    return firm


def firm_update(*, firm: Firm, actor: User, request=None, **fields) -> Firm:
    """Owners and admins edit the firm's details (the views check the role)."""
    unknown = set(fields) - set(FIRM_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable here: {sorted(unknown)}")
    _require(firm=firm, actor=actor, action=Action.FIRM_EDIT)
    changed = {name: value for name, value in fields.items() if getattr(firm, name) != value}
    if not changed:
        return firm
    with transaction.atomic():
        for name, value in changed.items():
            setattr(firm, name, value)
        firm.save(update_fields=list(changed))
        audit_record_create(
            action="firm.updated",
            firm=firm,
            actor=actor,
            target=firm,
            detail={"fields": sorted(changed)},  # names only: bank details stay out of the log
            request=request,
        )
    return firm


def firm_plan_change(*, firm: Firm, plan: str, actor: User, request=None) -> PlanChange | None:
    """Moves the firm to `plan`; None when it is already on it. The firm is not billed."""
    if plan not in Plan.values:
        raise TenancyError("Choose one of the plans shown.", field="plan")
    _require(firm=firm, actor=actor, action=Action.PLAN_CHANGE)
    with transaction.atomic():
        locked = Firm.objects.select_for_update().get(pk=firm.pk)
        if locked.plan == plan:
            return None
        change = PlanChange.objects.create(
            firm=locked, from_plan=locked.plan, to_plan=plan, changed_by=actor
        )
        locked.plan = plan
        locked.save(update_fields=["plan"])
        audit_record_create(
            action="plan.changed",
            firm=locked,
            actor=actor,
            target=locked,
            detail={"from": change.from_plan, "to": plan},
            request=request,
        )
    firm.plan = plan
    return change


def invitation_create(
    *, firm: Firm, email: str, role: str, invited_by: User, request=None
) -> tuple[Invitation, str]:
    """A pending invitation (replacing an earlier pending one for the same email) and the
    secret token for its link; the email with the link is sent once the transaction commits."""
    email = email_normalise(email)
    if role not in Role.values:
        raise TenancyError("Choose a role.", field="role")
    actor_role = actor_role_in(firm=firm, actor=invited_by)
    if not role_may(actor_role, Action.MEMBER_INVITE) or not may_grant(
        actor_role=actor_role, role=role
    ):
        raise RoleNotAllowed(
            f"Your role cannot invite someone as {Role(role).label.lower()}.", field="role"
        )
    if Membership.objects.filter(firm=firm, user__email__iexact=email).exists():
        raise AlreadyMember(f"{email} is already a member of {firm.name}.")
    token = invitation_token_new()
    now = timezone.now()
    with transaction.atomic():
        Invitation.objects.pending().filter(firm=firm, email__iexact=email).update(revoked_at=now)
        try:
            with transaction.atomic():
                invitation = Invitation.objects.create(
                    firm=firm,
                    email=email,
                    role=role,
                    token=invitation_token_hash(token),
                    invited_by=invited_by,
                    expires_at=now + INVITATION_LIFETIME,
                )
        except IntegrityError as error:  # a simultaneous invitation for the same email
            raise TenancyError(f"{email} was just invited.", field="email") from error
        audit_record_create(
            action="member.invited",
            firm=firm,
            actor=invited_by,
            target=invitation,
            detail={"email": email, "role": role},
            request=request,
        )
        transaction.on_commit(lambda: _invitation_email(invitation, token))
    return invitation, token


def _invitation_email(invitation: Invitation, token: str) -> None:
    from firmpay.tenancy.emails import invitation_email_send

    try:
        invitation_email_send(invitation=invitation, token=token)
    except Exception:  # the invitation stands; the inviter can revoke and invite again
        logger.exception("Invitation email %s could not be sent", invitation.pk)


def invitation_revoke(*, invitation: Invitation, actor: User, request=None) -> bool:
    """True when it was pending and is now revoked."""
    with transaction.atomic():
        revoked = (
            Invitation.objects.pending().filter(pk=invitation.pk).update(revoked_at=timezone.now())
        )
        if revoked:
            audit_record_create(
                action="member.invitation_revoked",
                firm=invitation.firm,
                actor=actor,
                target=invitation,
                detail={"email": invitation.email},
                request=request,
            )
    return bool(revoked)


def invitation_accept(*, invitation: Invitation, user: User, request=None) -> Membership:
    """Makes `user` a member with the invited role, once: the invitation is claimed by a
    conditional UPDATE and the membership is unique per user and firm."""
    if email_normalise(user.email) != email_normalise(invitation.email):
        raise InvitationUnusable(
            f"This invitation is for {invitation.email}; you are signed in as {user.email}."
        )
    now = timezone.now()
    with transaction.atomic():
        claimed = (
            Invitation.objects.pending()
            .filter(pk=invitation.pk, expires_at__gt=now)
            .update(accepted_at=now)
        )
        if not claimed:
            raise InvitationUnusable(invitation_refusal(invitation))
        try:
            with transaction.atomic():
                membership = Membership.objects.create(
                    firm=invitation.firm, user=user, role=invitation.role
                )
        except IntegrityError as error:
            raise AlreadyMember(f"You are already a member of {invitation.firm.name}.") from error
        audit_record_create(
            action="member.joined",
            firm=invitation.firm,
            actor=user,
            target=membership,
            detail={"email": user.email, "role": invitation.role, "invitation": invitation.pk},
            request=request,
        )
    return membership


def invitation_accept_new_user(
    *, invitation: Invitation, name: str, password: str, request=None
) -> tuple[User, Membership]:
    """Someone without an account sets a password and joins, all or nothing."""
    with transaction.atomic():
        user = _user_create(name=name, email=invitation.email, password=password)
        membership = invitation_accept(invitation=invitation, user=user, request=request)
    return user, membership


def invitation_refusal(invitation: Invitation) -> str:
    state = Invitation.objects.get(pk=invitation.pk).state
    return {
        "accepted": "This invitation has already been used.",
        "revoked": "This invitation was withdrawn. Ask the firm for a new one.",
        "expired": "This invitation has expired. Ask the firm for a new one.",
    }.get(state, "This invitation cannot be used.")


def membership_change_role(
    *, membership: Membership, role: str, actor: User, request=None
) -> Membership:
    if role not in Role.values:
        raise TenancyError("Choose a role.", field="role")
    with transaction.atomic():
        locked = _lock_membership(membership)
        actor_role = actor_role_in(firm=locked.firm, actor=actor)
        if not may_change_role(actor_role=actor_role, target_role=locked.role, new_role=role):
            raise RoleNotAllowed("Your role cannot make that change.")
        if locked.role == role:
            return locked
        if locked.role == Role.OWNER:
            _refuse_last_owner(locked, "demote")
        before = locked.role
        locked.role = role
        locked.save(update_fields=["role"])
        audit_record_create(
            action="member.role_changed",
            firm=locked.firm,
            actor=actor,
            target=locked,
            detail={"email": locked.user.email, "from": before, "to": role},
            request=request,
        )
    return locked


def membership_remove(*, membership: Membership, actor: User, request=None) -> None:
    with transaction.atomic():
        locked = _lock_membership(membership)
        if not may_remove(
            actor_role=actor_role_in(firm=locked.firm, actor=actor), target_role=locked.role
        ):
            raise RoleNotAllowed("Your role cannot remove this member.")
        if locked.role == Role.OWNER:
            _refuse_last_owner(locked, "remove")
        audit_record_create(
            action="member.removed",
            firm=locked.firm,
            actor=actor,
            target=locked,
            detail={"email": locked.user.email, "role": locked.role},
            request=request,
        )
        locked.delete()


def actor_role_in(*, firm: Firm, actor: User | None) -> str | None:
    """The actor's role in the firm, read now (not from the request): None for a non-member."""
    if actor is None or actor.pk is None:
        return None
    return (
        Membership.objects.filter(firm_id=firm.pk, user_id=actor.pk)
        .values_list("role", flat=True)
        .first()
    )


def _require(*, firm: Firm, actor: User | None, action: Action) -> None:
    if not role_may(actor_role_in(firm=firm, actor=actor), action):
        raise RoleNotAllowed("Your role in this firm cannot do that.")


def _lock_membership(membership: Membership) -> Membership:
    """Locks the firm row first, so two owners changing each other at once are serialized."""
    Firm.objects.select_for_update().get(pk=membership.firm_id)
    return (
        Membership.objects.select_related("user", "firm")
        .select_for_update(of=("self",))
        .get(pk=membership.pk)
    )


def _refuse_last_owner(membership: Membership, verb: str) -> None:
    others = (
        Membership.objects.filter(firm_id=membership.firm_id, role=Role.OWNER)
        .exclude(pk=membership.pk)
        .exists()
    )
    if not others:
        raise LastOwner(
            f"{membership.user.email} is the firm's only owner and cannot be {verb}d. "
            "Make another member an owner first."
        )
