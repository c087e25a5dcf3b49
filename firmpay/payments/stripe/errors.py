"""Stripe SDK errors → our exceptions, at the boundary."""

from __future__ import annotations

import contextlib
import logging

import stripe
from stripe import oauth_error

from firmpay.payments.exceptions import (
    AccountAccessLost,
    OAuthCodeInvalid,
    OAuthFailed,
    StripeRequestFailed,
    StripeUnavailable,
)

logger = logging.getLogger("firmpay.payments.stripe")


@contextlib.contextmanager
def translated_errors(action: str):
    """Run a Stripe call; raise StripeUnavailable (retry later) or StripeRequestFailed."""
    try:
        yield
    except oauth_error.InvalidGrantError as error:
        logger.info("Stripe %s: invalid grant (%s)", action, error.code)
        raise OAuthCodeInvalid() from error
    except oauth_error.OAuthError as error:
        logger.warning("Stripe %s: OAuth error %s", action, error.code)
        raise OAuthFailed() from error
    except (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError) as error:
        logger.warning("Stripe %s: unavailable (%s)", action, type(error).__name__)
        raise StripeUnavailable() from error
    except stripe.StripeError as error:
        code = getattr(error, "code", None) or ""
        logger.warning("Stripe %s: refused (%s %s)", action, type(error).__name__, code)
        raise StripeRequestFailed(
            getattr(error, "user_message", None) or None, code=code
        ) from error


@contextlib.contextmanager
def account_access_checked(action: str, *, lost_codes: frozenset[str]):
    """translated_errors, raising AccountAccessLost when Stripe's refusal means Firmpay may
    no longer read the connected account (a permission error, or one of `lost_codes`)."""
    try:
        with translated_errors(action):
            yield
    except StripeRequestFailed as error:
        if error.__cause__ is not None and (
            isinstance(error.__cause__, stripe.PermissionError) or error.code in lost_codes
        ):
            raise AccountAccessLost(code=error.code or "permission_error") from error.__cause__
        raise
