"""OAuth `state` values bound to the browser session that asked for them: the pure helpers
both OAuth flows (Stripe Connect, Xero/QuickBooks) use. Only hashes are stored, so a
database read gives no usable state or session key; each app keeps its own model."""

from __future__ import annotations

import hashlib
import secrets


def state_new() -> str:
    """A fresh, unguessable state to put in the authorize URL."""
    return secrets.token_urlsafe(32)


def state_hash(value: str) -> str:
    """What is stored for a state (or a session key): its SHA-256, hex."""
    return hashlib.sha256(value.encode()).hexdigest()


def session_key_hash(session) -> str:
    """The hash of this session's key, saving the session first so it has one."""
    if not session.session_key:
        session.save()
    return state_hash(session.session_key)


def session_matches(stored_hash: str, session) -> bool:
    """Whether `session` is the one `stored_hash` was made for (constant-time compare)."""
    return secrets.compare_digest(stored_hash, state_hash(session.session_key or ""))
