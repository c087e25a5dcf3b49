"""Errors of the accounting app. Those deriving from AccountingUserError carry a message
shown to the firm as is."""


class AccountingError(Exception):
    pass


class AccountingUserError(AccountingError):
    message = "Something went wrong with the accounting connection."

    def __init__(self, message: str | None = None):
        super().__init__(message or self.message)
        self.message = message or self.message


class OAuthStateInvalid(AccountingUserError):
    message = "That connection link has expired or was already used. Please connect again."


class OAuthDenied(AccountingUserError):
    message = "The connection was cancelled: nothing was connected."


class ConnectionExists(AccountingUserError):
    message = "Your firm already has an accounting connection. Disconnect it first."


class ConnectionNotReady(AccountingUserError):
    message = "Finish connecting before choosing accounts."


class ProviderNotConfigured(AccountingUserError):
    message = "This accounting provider is not configured on this Firmpay server."


class ConnectFailed(AccountingUserError):
    message = "We could not finish connecting. Please try again."


class ScopeRefused(AccountingUserError):
    message = "The accounting provider refused the permissions Firmpay asked for."


class ScopeMissing(ConnectionNotReady):
    """The firm's consent predates a permission a feature needs: reconnect to grant it."""

    message = "Reconnect to give Firmpay the permission this needs."
