"""Errors from tenancy services. Every TenancyError's message is written for the user and
shown as is (a form error or a flash message); `field` names the form field it belongs to."""


class TenancyError(Exception):
    field: str | None = None

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        if field is not None:
            self.field = field


class EmailTaken(TenancyError):
    field = "email"


class LastOwner(TenancyError):
    """The firm would be left without an owner."""


class AlreadyMember(TenancyError):
    field = "email"


class InvitationUnusable(TenancyError):
    """Accepted, revoked, expired, or for another email address."""


class RoleNotAllowed(TenancyError):
    """The actor's role may not do this (the table in `firmpay.tenancy.roles`)."""
