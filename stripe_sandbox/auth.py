"""Who is calling, and on which account.

The platform's secret key may act on any connected account through
`Stripe-Account`; an OAuth access token (a secret key of its own) acts only
on its account. An account the platform is no longer connected to answers
403, as Stripe does after deauthorization.
"""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING

from stripe_sandbox import errors, objects
from stripe_sandbox.router import Request

if TYPE_CHECKING:
    from stripe_sandbox.sandbox import Sandbox

API_KEY_KIND = "_api_key"

_NO_KEY = (
    "You did not provide an API key. You need to provide your API key in the Authorization "
    "header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See "
    "https://stripe.com/docs/api#authentication for details, or we can help at "
    "https://support.stripe.com/."
)


def bearer_key(header: str) -> str:
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() == "bearer":
        return value.strip()
    if scheme.lower() == "basic":
        try:
            return base64.b64decode(value).decode().split(":", 1)[0]
        except (binascii.Error, UnicodeDecodeError):
            return ""
    return ""


def mask(key: str) -> str:
    return key[:8] + "*" * max(len(key) - 12, 4) + key[-4:]


def key_account(sb: Sandbox, key: str) -> str | None:
    """ "" for the platform key, acct_... for an OAuth token, None if unknown."""
    if key == sb.config.secret_key:
        return ""
    found = sb.store.get(API_KEY_KIND, key)
    return found["account"] if found else None


def connected(sb: Sandbox, account_id: str) -> bool:
    account = sb.store.get("account", account_id)
    return bool(account) and objects.private(account).get("connected", False)


def authenticate(sb: Sandbox, req: Request, *, oauth: bool = False) -> None:
    key = bearer_key(req.headers.get("authorization", ""))
    if not key:
        raise _auth_error(oauth, _NO_KEY)
    owner = key_account(sb, key)
    if owner is None:
        raise _auth_error(oauth, f"Invalid API Key provided: {mask(key)}")
    req.api_key = key
    req.idempotency_key = req.headers.get("idempotency-key")
    wanted = req.headers.get("stripe-account", "").strip()
    if not wanted or wanted == owner:
        req.account = owner
        return
    if owner or not connected(sb, wanted):
        raise errors.account_access(key, wanted)
    req.account = wanted


def _auth_error(oauth: bool, message: str) -> errors.SandboxError:
    if oauth:
        return errors.OAuthError("invalid_client", message, status=401)
    return errors.authentication(message)
