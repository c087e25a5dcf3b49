"""The portal session: which client of which firm this browser is signed in as.

Kept in the Django session under "portal", one entry per firm ({firm id: {client, until}}),
so a client of several firms signs in to each firm's portal separately, and a member of
staff signed in to the firm app in the same browser gains nothing here (nor the reverse)."""

from __future__ import annotations

import time

from django.conf import settings

from firmpay.clients.models import Client

KEY = "portal"


def _lifetime() -> int:
    return int(getattr(settings, "PORTAL_SESSION_SECONDS", 12 * 3600))


def portal_session_grant(request, *, client: Client) -> None:
    # A new session key at sign-in: a key planted before it (fixation) is worth nothing.
    request.session.cycle_key()
    grants = dict(request.session.get(KEY, {}))
    grants[str(client.firm_id)] = {"client": client.pk, "until": int(time.time()) + _lifetime()}
    request.session[KEY] = grants


def portal_session_client(request, *, firm) -> Client | None:
    """The client signed in to this firm's portal, or None (never another firm's client)."""
    grant = request.session.get(KEY, {}).get(str(firm.pk))
    if not grant or grant.get("until", 0) < time.time():
        return None
    return (
        Client.objects.select_related("firm")
        .filter(firm=firm, pk=grant.get("client"), archived_at=None)
        .first()
    )


def portal_session_end(request, *, firm) -> None:
    grants = dict(request.session.get(KEY, {}))
    grants.pop(str(firm.pk), None)
    request.session[KEY] = grants
