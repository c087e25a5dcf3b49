"""Portal errors; every message is shown to the client as it is."""


class PortalError(Exception):
    message = "That did not work."

    def __init__(self, message: str | None = None):
        super().__init__(message or self.message)


class SignInThrottled(PortalError):
    message = "Too many sign-in requests. Try again in a few minutes."


class LinkInvalid(PortalError):
    message = "This link has expired or was already used. Ask for a new one."


class EmailUnchanged(PortalError):
    message = "That is already the address we use."
