"""Webhook endpoint signing secrets, including rolled ones still in grace."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stripe_sandbox import ids, objects

if TYPE_CHECKING:
    from stripe_sandbox.sandbox import Sandbox


def new_secret() -> str:
    return "whsec_" + ids.random_token(32)


def init(endpoint: dict[str, Any]) -> str:
    secret = new_secret()
    objects.private(endpoint)["secrets"] = [{"secret": secret, "expires_at": None}]
    return secret


def signing(sb: Sandbox, endpoint: dict[str, Any]) -> list[str]:
    """Current secret first, then rolled ones whose grace has not ended."""
    now = sb.clock.now()
    return [
        s["secret"]
        for s in objects.private(endpoint).get("secrets", [])
        if s["expires_at"] is None or s["expires_at"] > now
    ]


def roll(sb: Sandbox, endpoint: dict[str, Any], expires_in: int | None = None) -> str:
    grace = sb.config.secret_roll_grace if expires_in is None else expires_in
    now = sb.clock.now()
    kept = [
        {**s, "expires_at": s["expires_at"] or now + grace}
        for s in objects.private(endpoint).get("secrets", [])
    ]
    secret = new_secret()
    objects.private(endpoint)["secrets"] = [{"secret": secret, "expires_at": None}, *kept]
    return secret
