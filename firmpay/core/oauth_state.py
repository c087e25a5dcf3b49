"""OAuth `state` values bound to the browser session that asked for them: the helpers both
OAuth flows (Stripe Connect, Xero/QuickBooks) use. Only hashes are stored, so a database
read gives no usable state or session key; each app keeps its own model (fields
`state_hash`, `session_key_hash`, `firm`, `user`, `expires_at`, `consumed_at`)."""

from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone


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


def state_consume(states, state: str, *, firm, user, session, **expected):
    """Mark the state used (atomically, once: the first request to mark it wins, a replay
    finds it consumed) and return its row from `states` (the app's OAuthState manager) if
    it belongs to this session, firm and user, has not expired and has the `expected`
    field values; None otherwise."""
    if not state:
        return None
    now = timezone.now()
    hashed = state_hash(state)
    if not states.filter(state_hash=hashed, consumed_at__isnull=True).update(consumed_at=now):
        return None
    row = states.get(state_hash=hashed)
    if (
        row.expires_at < now
        or any(getattr(row, name) != value for name, value in expected.items())
        or row.firm_id != firm.pk
        or row.user_id != user.pk
        or not session_matches(row.session_key_hash, session)
    ):
        return None
    return row
