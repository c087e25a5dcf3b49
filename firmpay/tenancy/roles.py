"""Who may do what in a firm: one table, read by every view guard, template and service.

A member's role answers three kinds of question:

- may they take an action on the firm (`role_may`): edit its settings, change its plan,
  refund, connect or disconnect an integration, ...
- which roles may they give someone, by invitation or by a role change (`GRANTS`);
- whose role may they change, and whom may they remove (`CHANGES`, `REMOVES`, keyed by the
  target's current role).

Owners hold the firm: only an owner makes, changes or removes an owner, and the last owner
can never be demoted or removed (`firmpay.tenancy.services`)."""

from __future__ import annotations

from enum import StrEnum

from firmpay.tenancy.models import Role


class Action(StrEnum):
    FIRM_EDIT = "firm.edit"
    PLAN_CHANGE = "plan.change"
    MEMBER_INVITE = "member.invite"
    AUDIT_LOG_VIEW = "audit_log.view"
    REFUND = "payment.refund"
    PAYMENT_SETTINGS = "payment.settings"
    INTEGRATION_CONNECT = "integration.connect"
    INTEGRATION_DISCONNECT = "integration.disconnect"
    REMINDER_POLICY = "reminder.policy"


OWNER, ADMIN, STAFF = Role.OWNER, Role.ADMIN, Role.STAFF
MANAGERS = frozenset({OWNER, ADMIN})

ALLOWED: dict[Action, frozenset[str]] = {
    Action.FIRM_EDIT: MANAGERS,
    Action.PLAN_CHANGE: frozenset({OWNER}),
    Action.MEMBER_INVITE: MANAGERS,
    Action.AUDIT_LOG_VIEW: frozenset({OWNER}),
    Action.REFUND: MANAGERS,
    Action.PAYMENT_SETTINGS: MANAGERS,
    Action.INTEGRATION_CONNECT: MANAGERS,
    Action.INTEGRATION_DISCONNECT: MANAGERS,
    Action.REMINDER_POLICY: MANAGERS,
}

# actor's role -> the roles they may give (an invitation's role, or a new role)
GRANTS: dict[str, frozenset[str]] = {
    OWNER: frozenset({OWNER, ADMIN, STAFF}),
    ADMIN: frozenset({ADMIN, STAFF}),
    STAFF: frozenset(),
}
# actor's role -> the current roles of the members whose role they may change
CHANGES: dict[str, frozenset[str]] = {
    OWNER: frozenset({OWNER, ADMIN, STAFF}),
    ADMIN: frozenset(),
    STAFF: frozenset(),
}
# actor's role -> the roles of the members they may remove
REMOVES: dict[str, frozenset[str]] = {
    OWNER: frozenset({OWNER, ADMIN, STAFF}),
    ADMIN: frozenset(),
    STAFF: frozenset(),
}


def role_may(role: str | None, action: Action) -> bool:
    return role is not None and role in ALLOWED[action]


def may_grant(*, actor_role: str | None, role: str) -> bool:
    return role in GRANTS.get(actor_role, frozenset())


def may_change_role(*, actor_role: str | None, target_role: str, new_role: str) -> bool:
    return target_role in CHANGES.get(actor_role, frozenset()) and may_grant(
        actor_role=actor_role, role=new_role
    )


def may_remove(*, actor_role: str | None, target_role: str) -> bool:
    return target_role in REMOVES.get(actor_role, frozenset())


def grantable_choices(actor_role: str | None) -> list[tuple[str, str]]:
    """The role choices a member with `actor_role` is offered, in the usual order."""
    allowed = GRANTS.get(actor_role, frozenset())
    return [(value, label) for value, label in Role.choices if value in allowed]


class Permissions:
    """`membership.may.refund` in templates: each Action by its lower-case name."""

    def __init__(self, role: str | None):
        self._role = role

    def __getattr__(self, name: str) -> bool:
        try:
            action = Action[name.upper()]
        except KeyError:
            raise AttributeError(name) from None
        return role_may(self._role, action)

    @property
    def change_roles(self) -> bool:
        return bool(CHANGES.get(self._role))

    @property
    def remove_members(self) -> bool:
        return bool(REMOVES.get(self._role))
