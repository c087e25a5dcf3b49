"""HTTP shared by both providers: one `send` for every request to a vendor (timeouts and
the REQUEST_HOOKS tests use to collect what is sent), status codes and transport failures
mapped to our ProviderErrors, strict reading of 2xx answers (UnexpectedAnswer), the token
endpoint, and JSON with Decimal amounts written digit for digit."""

from __future__ import annotations

import contextlib
import datetime
import email.utils
from collections.abc import Callable, Iterator
from decimal import Decimal

import httpx
from django.utils import timezone

from firmpay.accounting.providers.base import (
    ApiContext,
    AuthRevoked,
    ProviderError,
    ProviderRejected,
    ProviderUnavailable,
    RateLimited,
    TokenSet,
    UnexpectedAnswer,
)

TIMEOUT = httpx.Timeout(20.0, connect=5.0)

# Called with every httpx.Request the providers send (tests collect them to validate against
# the vendors' own definitions). Production adds none.
REQUEST_HOOKS: list[Callable[[httpx.Request], None]] = []


def send(method: str, url: str, **kwargs) -> httpx.Response:
    """Every HTTP request to a vendor goes out here (one place for timeouts and hooks)."""
    kwargs.setdefault("timeout", TIMEOUT)
    with httpx.Client(event_hooks={"request": list(REQUEST_HOOKS)}) as client:
        return client.request(method, url, **kwargs)


def retry_after_seconds(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value)
        if parsed is None:
            return None
        now = datetime.datetime.now(datetime.UTC)
        return max(0.0, (parsed - now).total_seconds())


@contextlib.contextmanager
def transport_errors() -> Iterator[None]:
    """Timeouts and connection errors: the vendor may have acted, so retry with the same
    idempotency key."""
    try:
        yield
    except httpx.TimeoutException as exc:
        raise ProviderUnavailable(f"timed out: {type(exc).__name__}") from exc
    except httpx.TransportError as exc:
        raise ProviderUnavailable(f"could not reach the server: {type(exc).__name__}") from exc


def raise_for_response(
    response: httpx.Response, *, describe: Callable[[httpx.Response], str], vendor: str = ""
):
    status = response.status_code
    who = vendor or "The accounting system"
    if status < 400:
        return
    if status == 429:
        raise RateLimited(
            f"{who} asked us to slow down (429)",
            retry_after=retry_after_seconds(response),
            status=429,
        )
    if status >= 500:
        raise ProviderUnavailable(
            f"{who} had a server error ({status}); we will try again",
            retry_after=retry_after_seconds(response),
            status=status,
        )
    if status == 401:
        raise ProviderRejected("the access token was refused (401)", status=401)
    raise ProviderRejected(describe(response), status=status)


def token_error(response: httpx.Response) -> ProviderError:
    """The token endpoint's error: invalid_grant means the firm must reconnect."""
    try:
        error = response.json().get("error", "")
    except ValueError:
        error = ""
    if response.status_code == 429:
        return RateLimited("token endpoint rate limited", retry_after=retry_after_seconds(response))
    if response.status_code >= 500:
        return ProviderUnavailable(f"token endpoint error {response.status_code}")
    if error == "invalid_grant":
        return AuthRevoked("the connection was revoked or expired (invalid_grant)", status=400)
    return ProviderRejected(f"token request refused: {error or response.status_code}")


def token_set_from(payload: dict, now: datetime.datetime) -> TokenSet:
    return TokenSet(
        access_token=payload["access_token"],
        refresh_token=payload["refresh_token"],
        expires_at=now + datetime.timedelta(seconds=int(payload.get("expires_in", 1800))),
    )


def token_request(url: str, *, data: dict, auth: tuple[str, str], headers=None) -> TokenSet:
    """POST to a vendor's token endpoint (code exchange or refresh): the new TokenSet, or
    the token error (`token_error`) when it is not a 200."""
    now = timezone.now()
    with transport_errors():
        response = send("POST", url, data=data, auth=auth, headers=headers)
    if response.status_code != 200:
        raise token_error(response)
    payload = json_answer(response, vendor="The token endpoint")
    try:
        return token_set_from(payload, now)
    except (KeyError, TypeError, ValueError) as exc:
        raise UnexpectedAnswer("The token endpoint answered without usable tokens.") from exc


def api_request(
    ctx: ApiContext,
    method: str,
    url: str,
    *,
    describe: Callable[[httpx.Response], str],
    vendor: str,
    headers: dict | None = None,
    body=None,
    params=None,
) -> dict:
    """One Accounting API call for `ctx`'s organisation: bearer token, JSON in and out,
    through the rate gate, transport and HTTP errors mapped to ProviderError. `headers`
    are the vendor's own (tenant, idempotency key)."""
    all_headers = {"Authorization": f"Bearer {ctx.access_token}", "Accept": "application/json"}
    all_headers.update(headers or {})
    if body is not None:
        all_headers["Content-Type"] = "application/json"
    with ctx.gate(), transport_errors():
        response = send(
            method,
            url,
            params=params,
            headers=all_headers,
            content=json_body(body) if body is not None else None,
        )
    raise_for_response(response, describe=describe, vendor=vendor)
    payload = json_answer(response, vendor=vendor)
    if not isinstance(payload, dict):
        raise UnexpectedAnswer(f"{vendor} answered with a {type(payload).__name__}, not an object.")
    if "Fault" in payload:
        raise UnexpectedAnswer(f"{vendor} answered 200 but reported an error: {describe(response)}")
    return payload


def json_answer(response: httpx.Response, *, vendor: str):
    """The JSON of a 2xx answer, or UnexpectedAnswer saying in plain words what came back."""
    if not response.content.strip():
        raise UnexpectedAnswer(f"{vendor} sent an empty answer ({response.status_code}).")
    try:
        return response.json()
    except ValueError:
        kind = "an HTML page" if b"<html" in response.content[:500].lower() else "something else"
        raise UnexpectedAnswer(
            f"{vendor} answered with {kind} instead of data ({response.status_code})."
        ) from None


def field_of(payload, *path, kind: type = str):
    """payload[path...] of the expected type, else UnexpectedAnswer (a vendor answer with a
    missing or wrongly typed field must not become a KeyError in the worker)."""
    value = payload
    for step in path:
        try:
            value = value[step]
        except (KeyError, IndexError, TypeError):
            raise UnexpectedAnswer(f"The answer had no {'.'.join(str(p) for p in path)}.") from None
    if not isinstance(value, kind):
        raise UnexpectedAnswer(
            f"The answer's {'.'.join(str(p) for p in path)} was a {type(value).__name__}."
        )
    return value


def decimal_str(value: Decimal) -> str:
    """JSON numbers without floats: vendors read "123.45" as a number."""
    return format(value, "f")


_DECIMAL_MARK = "\x00decimal:"


def json_body(payload) -> bytes:
    """JSON with Decimal amounts written as JSON numbers, digit for digit (never a float)."""
    import json
    import re

    def default(value):
        if isinstance(value, Decimal):
            return f"{_DECIMAL_MARK}{decimal_str(value)}"
        if isinstance(value, datetime.date):
            return value.isoformat()
        raise TypeError(f"cannot encode {type(value).__name__}")

    text = json.dumps(payload, default=default)
    text = re.sub(r'"\\u0000decimal:(-?[0-9.]+)"', r"\1", text)
    return text.encode()
