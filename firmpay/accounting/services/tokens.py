"""Access tokens: refreshed under a per-connection row lock, the rotated refresh token
stored every time. Two processes refreshing the same Xero token set at once would break it
(invalid_grant), so the second waits on the lock and then uses the first one's tokens."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from firmpay.accounting.crypto import token_decrypt, token_encrypt
from firmpay.accounting.models import AccountingConnection, ConnectionStatus, SyncItem, SyncStatus
from firmpay.accounting.providers import provider_for
from firmpay.accounting.providers.base import AuthRevoked, TokenSet

# Refresh this long before the access token expires.
REFRESH_MARGIN = datetime.timedelta(minutes=2)


def tokens_store(connection: AccountingConnection, tokens: TokenSet) -> None:
    """Set (not save) the encrypted tokens on the connection."""
    connection.access_token_enc = token_encrypt(tokens.access_token)
    connection.refresh_token_enc = token_encrypt(tokens.refresh_token)
    connection.access_expires_at = tokens.expires_at
    connection.token_refreshed_at = timezone.now()


def _fresh(connection: AccountingConnection) -> bool:
    expires = connection.access_expires_at
    return bool(
        connection.access_token_enc and expires and expires > timezone.now() + REFRESH_MARGIN
    )


def connection_access_token(*, connection: AccountingConnection, force: bool = False) -> str:
    """A valid access token, refreshing it when it is (nearly) expired.

    Raises AuthRevoked after marking the connection Needs reconnecting when the vendor
    answers invalid_grant, and ProviderError (retriable) when the token endpoint fails."""
    if connection.status == ConnectionStatus.NEEDS_RECONNECT:
        raise AuthRevoked("the connection needs reconnecting")
    if _fresh(connection) and not force:
        return token_decrypt(connection.access_token_enc)
    revoked: AuthRevoked | None = None
    with transaction.atomic():
        locked = AccountingConnection.objects.select_for_update().get(pk=connection.pk)
        if locked.status == ConnectionStatus.NEEDS_RECONNECT:
            raise AuthRevoked("the connection needs reconnecting")
        if force or not _fresh(locked):
            provider = provider_for(locked.vendor)
            try:
                tokens = provider.refresh(refresh_token=token_decrypt(locked.refresh_token_enc))
            except AuthRevoked as exc:
                revoked = exc
            else:
                tokens_store(locked, tokens)
                locked.save(
                    update_fields=[
                        "access_token_enc",
                        "refresh_token_enc",
                        "access_expires_at",
                        "token_refreshed_at",
                        "updated_at",
                    ]
                )
        if revoked is not None:
            connection_mark_needs_reconnect(connection=locked, error=revoked.message)
    if revoked is not None:
        raise revoked
    for field in ("access_token_enc", "refresh_token_enc", "access_expires_at", "status"):
        setattr(connection, field, getattr(locked, field))
    return token_decrypt(locked.access_token_enc)


def connection_token_expire(*, connection: AccountingConnection) -> None:
    """The vendor refused the access token (401): refresh before the next call."""
    AccountingConnection.objects.filter(pk=connection.pk).update(access_expires_at=timezone.now())
    connection.access_expires_at = timezone.now()


def connection_mark_needs_reconnect(*, connection: AccountingConnection, error: str) -> None:
    """Refresh token expired or revoked: the card says Needs reconnecting and the outbox waits."""
    now = timezone.now()
    AccountingConnection.objects.filter(pk=connection.pk).update(
        status=ConnectionStatus.NEEDS_RECONNECT, last_error=error[:500], last_error_at=now
    )
    connection.status = ConnectionStatus.NEEDS_RECONNECT
    SyncItem.objects.filter(
        connection_id=connection.pk, status__in=[SyncStatus.PENDING, SyncStatus.RUNNING]
    ).update(status=SyncStatus.BLOCKED, claimed_until=None)


# Xero refresh tokens die after 60 days unused; refresh well before.
KEEP_ALIVE_IDLE = datetime.timedelta(days=21)


def connections_keep_alive(*, idle_for: datetime.timedelta = KEEP_ALIVE_IDLE) -> dict:
    """Periodic: refresh the tokens of live connections idle for `idle_for`, so a firm that
    sends nothing for two months is still connected. Only the vendor refusing the refresh
    token (invalid_grant) makes a connection Needs reconnecting; a vendor outage, a 429 or
    a timeout leaves it Connected and the next run tries again."""
    from firmpay.accounting.providers.base import ProviderError

    cutoff = timezone.now() - idle_for
    outcome = {"refreshed": 0, "revoked": 0, "failed": 0}
    idle = AccountingConnection.objects.filter(
        status__in=[ConnectionStatus.CONNECTED, ConnectionStatus.SETUP],
        token_refreshed_at__lt=cutoff,
    )
    for connection in idle.order_by("token_refreshed_at")[:500]:
        try:
            connection_access_token(connection=connection, force=True)
        except AuthRevoked:
            outcome["revoked"] += 1
        except ProviderError:
            outcome["failed"] += 1
        else:
            outcome["refreshed"] += 1
    return outcome
