"""Errors in Stripe's wire shapes, raised by handlers and rendered by the server.

The status code picks the SDK's exception class (400/404 InvalidRequestError,
401 AuthenticationError, 402 CardError, 403 PermissionError, 429
RateLimitError, others APIError); OAuth errors use their own flat shape.
"""

from __future__ import annotations

from typing import Any


class SandboxError(Exception):
    status = 400

    def body(self) -> dict[str, Any]:
        raise NotImplementedError


class StripeError(SandboxError):
    def __init__(
        self,
        message: str,
        *,
        status: int = 400,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.type = type
        self.code = code
        self.param = param
        self.extra = extra

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"message": self.message, "type": self.type}
        if self.code:
            error["code"] = self.code
            error["doc_url"] = f"https://stripe.com/docs/error-codes/{self.code.replace('_', '-')}"
        if self.param:
            error["param"] = self.param
        error.update(self.extra)
        return {"error": error}


class OAuthError(SandboxError):
    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status

    def body(self) -> dict[str, Any]:
        return {"error": self.error, "error_description": self.description}


def invalid_request(
    message: str, *, code: str | None = None, param: str | None = None, status: int = 400
) -> StripeError:
    return StripeError(message, status=status, code=code, param=param)


def resource_missing(kind: str, object_id: str, param: str = "id") -> StripeError:
    label = kind.replace("_", " ").replace(".", " ")
    return StripeError(
        f"No such {label}: '{object_id}'", status=404, code="resource_missing", param=param
    )


def unknown_route(method: str, path: str) -> StripeError:
    return StripeError(
        f"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs "
        "or we can help at https://support.stripe.com/.",
        status=404,
    )


def authentication(message: str) -> StripeError:
    return StripeError(message, status=401)


def account_access(key: str, account: str) -> StripeError:
    masked = key[:8] + "*" * 4 + key[-4:]
    return StripeError(
        f"The provided key '{masked}' does not have access to account '{account}' "
        "(or that account does not exist). Application access may have been revoked.",
        status=403,
        code="account_invalid",
    )


def rate_limited() -> StripeError:
    return StripeError(
        "Request rate limit exceeded. Learn more about rate limits here "
        "https://stripe.com/docs/rate-limits.",
        status=429,
        code="rate_limit",
    )


def api_error(message: str = "An unknown error occurred (sandbox fault injection).") -> StripeError:
    return StripeError(message, status=500, type="api_error")


def card_error(
    message: str,
    *,
    code: str,
    decline_code: str | None = None,
    param: str | None = None,
    **extra: Any,
) -> StripeError:
    if decline_code:
        extra["decline_code"] = decline_code
    return StripeError(message, status=402, type="card_error", code=code, param=param, **extra)
