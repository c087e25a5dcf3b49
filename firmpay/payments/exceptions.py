"""Errors of the payments app.

`UserFacingError` subclasses carry a message safe to show the person who caused them
(the UI shows `str(error)`); the others are for logs and operators.
"""

from firmpay.core.exceptions import FirmpayError, UserFacingError


class PaymentsError(FirmpayError):
    """Base of the payments app's errors."""


# --- shown to the firm -------------------------------------------------------------


class PaymentsUserError(PaymentsError, UserFacingError):
    default_message = "Something went wrong with Stripe."

    def __init__(self, message: str | None = None):
        super().__init__(message or self.default_message)


class PlanRequired(PaymentsUserError):
    default_message = (
        "Creating a Stripe account with Firmpay needs a paid plan. "
        "Upgrade your plan, or connect a Stripe account you already have."
    )


class AccountAlreadyConnected(PaymentsUserError):
    default_message = "This firm already has a Stripe account connected. Disconnect it first."


class AccountConnectedElsewhere(PaymentsUserError):
    default_message = (
        "That Stripe account is already connected to another Firmpay firm. "
        "One Stripe account can serve only one firm: sign in to a different Stripe account, "
        "or ask the other firm to disconnect it."
    )


class OAuthStateInvalid(PaymentsUserError):
    default_message = (
        "That Stripe connection link is invalid, expired or was already used. "
        "Nothing was connected: start again from Settings → Integrations."
    )


class OAuthDenied(PaymentsUserError):
    default_message = "You cancelled connecting Stripe. Nothing was changed."


class OAuthCodeInvalid(PaymentsUserError):
    default_message = (
        "Stripe did not accept the authorization (it may have expired or been used already). "
        "Nothing was connected: please try again."
    )


class OAuthFailed(PaymentsUserError):
    default_message = "Stripe could not complete the connection. Nothing was connected: try again."


class DisconnectNotAllowed(PaymentsUserError):
    default_message = (
        "This Stripe account was created with Firmpay, so Firmpay support disconnects it. "
        "Contact support to disconnect it."
    )


class ReasonRequired(PaymentsUserError):
    default_message = "Give a reason for disconnecting this account."


class NotConnected(PaymentsUserError):
    default_message = "This firm has no Stripe account connected."


class StripeUnavailable(PaymentsUserError):
    """Stripe did not answer (network, 5xx, rate limit). Retrying later may work."""

    default_message = "Stripe is not answering right now. Nothing was changed: try again shortly."


class StripeRequestFailed(PaymentsUserError):
    """Stripe refused a request (4xx). Carries Stripe's code for the logs."""

    default_message = "Stripe refused the request."

    def __init__(self, message: str | None = None, *, code: str = ""):
        super().__init__(message)
        self.code = code


class AccountAccessLost(StripeRequestFailed):
    """Stripe no longer lets Firmpay read the account (disconnected on Stripe's side)."""

    default_message = "Stripe no longer gives Firmpay access to this account."


# --- webhooks (answered with 400, never shown to a person) ----------------------------


class WebhookSignatureInvalid(PaymentsError):
    """Missing, malformed, wrong or stale (over 300 s) Stripe-Signature header."""


class WebhookPayloadInvalid(PaymentsError):
    """Signed, but not a Stripe event (no id/type)."""
