"""OAuth 2.0 authorization-code grants shared by both vendors: codes, access tokens and
rotating refresh tokens, all on the sandbox clock.

A grant is one consent: the app (client id), the scopes, what it reaches (Xero: the
user's connections; QuickBooks: one realm) and its refresh token. Refreshing rotates the
refresh token. Xero lets the previous one be used for `xero_refresh_grace_seconds` more
(a new set, and the successor handed out before stops working: two processes refreshing
one set break it) and expires a token unused for 60 days; QuickBooks
refuses a rotated token at once and expires one unused for 100 days (5 years at most).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import TYPE_CHECKING, Any

from accounting_sandbox.errors import OAuthError
from accounting_sandbox.ids import new_uuid, token

if TYPE_CHECKING:
    from accounting_sandbox.sandbox import Sandbox

AUTH = "auth"
CODE_SECONDS = 300
_JWT_KEY = b"accounting-sandbox-signing-key"
DAY = 86400
QBO_HARD_CAP_DAYS = 5 * 365


def client_check(sb: Sandbox, vendor: str, client_id: str, secret: str) -> None:
    cfg = sb.config
    want = {
        "xero": (cfg.xero_client_id, cfg.xero_client_secret),
        "quickbooks": (cfg.quickbooks_client_id, cfg.quickbooks_client_secret),
    }[vendor]
    if (client_id, secret) != want:
        raise OAuthError("invalid_client", status=400 if vendor == "xero" else 401)


def basic_auth(headers: dict[str, str], form: dict[str, str]) -> tuple[str, str]:
    value = headers.get("authorization", "")
    if value.lower().startswith("basic "):
        try:
            raw = base64.b64decode(value[6:]).decode()
        except ValueError:
            raise OAuthError("invalid_client") from None
        client_id, _, secret = raw.partition(":")
        return client_id, secret
    return form.get("client_id", ""), form.get("client_secret", "")


def code_issue(
    sb: Sandbox, vendor: str, *, client_id: str, redirect_uri: str, grant: dict[str, Any]
) -> str:
    code = token(48)
    sb.store.put(
        AUTH,
        vendor,
        "code",
        code,
        {
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "grant": grant,
            "expires": sb.clock.now() + CODE_SECONDS,
            "used": False,
        },
    )
    return code


def code_exchange(
    sb: Sandbox, vendor: str, *, client_id: str, code: str, redirect_uri: str
) -> dict[str, Any]:
    record = sb.store.get(AUTH, vendor, "code", code)
    if (
        record is None
        or record["used"]
        or record["expires"] < sb.clock.now()
        or record["client_id"] != client_id
        or record["redirect_uri"] != redirect_uri
    ):
        raise OAuthError("invalid_grant")
    record["used"] = True
    sb.store.put(AUTH, vendor, "code", code, record)
    grant = dict(
        record["grant"], id=new_uuid(), client_id=client_id, created=sb.clock.now(), revoked=False
    )
    return _issue(sb, vendor, grant)


def refresh(sb: Sandbox, vendor: str, *, client_id: str, refresh_token: str) -> dict[str, Any]:
    now = sb.clock.now()
    held = sb.store.get(AUTH, vendor, "refresh", refresh_token)
    grant = sb.store.get(AUTH, vendor, "grant", held["grant"]) if held else None
    if grant is None or grant["revoked"] or grant["client_id"] != client_id:
        raise OAuthError("invalid_grant")
    if now > held["expires"] or (
        vendor == "quickbooks" and now > grant["created"] + QBO_HARD_CAP_DAYS * DAY
    ):
        raise OAuthError("invalid_grant")
    if held.get("rotated_at") is not None:
        grace = sb.config.xero_refresh_grace_seconds if vendor == "xero" else 0
        if not grace or now > held["rotated_at"] + grace:
            raise OAuthError("invalid_grant")
        # The previous token used again (another process refreshing the same set): a new
        # token set, and the one the first refresh handed out stops working.
        _expire(sb, vendor, held["successor"])
    held["rotated_at"] = held.get("rotated_at") or now
    answer = _issue(sb, vendor, grant)
    held["successor"] = answer["refresh_token"]
    sb.store.put(AUTH, vendor, "refresh", refresh_token, held)
    return answer


def _expire(sb: Sandbox, vendor: str, refresh_token: str) -> None:
    held = sb.store.get(AUTH, vendor, "refresh", refresh_token)
    if held is not None:
        held["expires"] = 0
        sb.store.put(AUTH, vendor, "refresh", refresh_token, held)


def revoke(sb: Sandbox, vendor: str, *, client_id: str, token_value: str) -> dict[str, Any] | None:
    """Revoke the grant a refresh (or access) token belongs to; returns it."""
    for kind in ("refresh", "access"):
        held = sb.store.get(AUTH, vendor, kind, token_value)
        if held:
            grant = sb.store.get(AUTH, vendor, "grant", held["grant"])
            if grant and grant["client_id"] == client_id:
                grant["revoked"] = True
                sb.store.put(AUTH, vendor, "grant", grant["id"], grant)
                return grant
    return None


def grant_for_access(sb: Sandbox, vendor: str, access_token: str) -> tuple[dict | None, str]:
    """(grant, problem): problem is "" or why the token does not work."""
    held = sb.store.get(AUTH, vendor, "access", access_token)
    if held is None:
        return None, "invalid"
    grant = sb.store.get(AUTH, vendor, "grant", held["grant"])
    if grant is None or grant["revoked"]:
        return None, "revoked"
    if held["expires"] < sb.clock.now():
        return None, "expired"
    return grant, ""


def _issue(sb: Sandbox, vendor: str, grant: dict[str, Any]) -> dict[str, Any]:
    now = sb.clock.now()
    idle_days = (
        sb.config.xero_refresh_idle_days
        if vendor == "xero"
        else sb.config.quickbooks_refresh_idle_days
    )
    refresh_token = token(64)
    sb.store.put(
        AUTH,
        vendor,
        "refresh",
        refresh_token,
        {
            "grant": grant["id"],
            "issued": now,
            "expires": now + idle_days * DAY,
            "rotated_at": None,
            "successor": None,
        },
    )
    grant["refresh_token"] = refresh_token
    grant["last_refresh"] = now
    sb.store.put(AUTH, vendor, "grant", grant["id"], grant)
    return _answer(sb, vendor, grant, refresh_token)


def _answer(sb: Sandbox, vendor: str, grant: dict[str, Any], refresh_token: str) -> dict[str, Any]:
    now = sb.clock.now()
    cfg = sb.config
    seconds = cfg.xero_access_seconds if vendor == "xero" else cfg.quickbooks_access_seconds
    if vendor == "xero":
        access = jwt(
            {
                "nbf": now,
                "exp": now + seconds,
                "iss": "https://identity.xero.com",
                "aud": "https://identity.xero.com/resources",
                "client_id": grant["client_id"],
                "sub": grant["user"],
                "auth_time": grant.get("auth_time", now),
                "xero_userid": grant["user"],
                "global_session_id": grant["id"],
                "jti": token(32),
                "authentication_event_id": grant["auth_event_id"],
                "scope": grant["scopes"],
            }
        )
    else:
        access = "eyJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiYWxnIjoiZGlyIn0.." + token(120)
    sb.store.put(AUTH, vendor, "access", access, {"grant": grant["id"], "expires": now + seconds})
    if vendor == "xero":
        # The AccessToken of Xero's identity OpenAPI file: the granted scopes are in the
        # access token's claims, not beside it.
        answer = {
            "access_token": access,
            "expires_in": seconds,
            "token_type": "Bearer",
            "refresh_token": refresh_token,
        }
        if "openid" in grant["scopes"]:
            answer["id_token"] = jwt(
                {
                    "iss": "https://identity.xero.com",
                    "aud": grant["client_id"],
                    "sub": grant["user"],
                    "email": grant.get("email", ""),
                    "iat": now,
                    "exp": now + 300,
                }
            )
        return answer
    idle = cfg.quickbooks_refresh_idle_days * DAY
    return {
        "token_type": "bearer",
        "expires_in": seconds,
        "access_token": access,
        "refresh_token": refresh_token,
        "x_refresh_token_expires_in": idle,
    }


def jwt(claims: dict[str, Any]) -> str:
    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(json.dumps(claims, separators=(",", ":")).encode())
    sig = hmac.new(_JWT_KEY, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64(sig)}"


def jwt_claims(value: str) -> dict[str, Any]:
    body = value.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
