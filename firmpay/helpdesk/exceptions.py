"""Errors of in-app help; `str(error)` of a HelpdeskUserError is safe to show."""


class HelpdeskError(Exception):
    pass


class HelpdeskUserError(HelpdeskError):
    message = "That did not work."

    def __str__(self) -> str:
        return self.args[0] if self.args else self.message


class EmptyMessage(HelpdeskUserError):
    message = "Write a message first."


class MessageTooLong(HelpdeskUserError):
    message = "That message is too long."


class NothingToDisconnect(HelpdeskUserError):
    message = "This firm has no connected Stripe account to disconnect."
