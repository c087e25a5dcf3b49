"""Writes for the client portal: sign-in links (requested, consumed once) and email changes."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from firmpay.clients.models import Client
from firmpay.clients.services import client_update
from firmpay.portal.emails import email_change_email_send, signin_email_send
from firmpay.portal.exceptions import EmailUnchanged, LinkInvalid, SignInThrottled
from firmpay.portal.models import PortalEmailChange, PortalSignInLink, PortalSignInRequest
from firmpay.portal.tokens import key_hash, token_hash, token_new


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _throttled(*, email_key: str, ip_key: str) -> bool:
    since = timezone.now() - timedelta(seconds=_setting("PORTAL_SIGNIN_WINDOW", 900))
    recent = PortalSignInRequest.objects.filter(created_at__gt=since)
    return recent.filter(email_key=email_key).count() >= _setting(
        "PORTAL_SIGNIN_PER_EMAIL", 3
    ) or recent.filter(ip_key=ip_key).count() >= _setting("PORTAL_SIGNIN_PER_IP", 20)


def portal_signin_request(*, firm, email: str, ip: str) -> int:
    """Email a sign-in link to each of the firm's clients at `email` (a contact of two
    client businesses gets one link per business). The caller answers the same whether
    or not any client has that address; this returns how many links went out (for tests
    and logs only). Raises SignInThrottled past the per-address or per-IP limit, counted
    for known and unknown addresses alike."""
    email = email.strip().lower()
    email_key, ip_key = key_hash(firm.pk, email), key_hash(ip)
    with transaction.atomic():
        if _throttled(email_key=email_key, ip_key=ip_key):
            raise SignInThrottled()
        PortalSignInRequest.objects.create(firm=firm, email_key=email_key, ip_key=ip_key)
        clients = Client.objects.filter(firm=firm, email__iexact=email, archived_at=None)
        lifetime = timedelta(seconds=_setting("PORTAL_SIGNIN_LINK_SECONDS", 1800))
        for client in clients:
            token = token_new()
            PortalSignInLink.objects.create(
                firm=firm,
                client=client,
                email=email,
                token_hash=token_hash(token),
                expires_at=timezone.now() + lifetime,
            )
            transaction.on_commit(
                lambda c=client, t=token: signin_email_send(client=c, token=t, to=email)
            )
    return len(clients)


def portal_signin_consume(*, firm, token: str) -> Client:
    """The client a sign-in link is for, marking the link used: one conditional UPDATE, so
    two clicks racing each other sign in once. Raises LinkInvalid (unknown, used, expired,
    another firm's link, or the client's address changed since)."""
    now = timezone.now()
    link = PortalSignInLink.objects.filter(firm=firm, token_hash=token_hash(token)).first()
    if link is None:
        raise LinkInvalid()
    claimed = PortalSignInLink.objects.filter(pk=link.pk, used_at=None, expires_at__gt=now).update(
        used_at=now, updated_at=now
    )
    client = Client.objects.filter(firm=firm, pk=link.client_id, archived_at=None).first()
    if not claimed or client is None or client.email.lower() != link.email.lower():
        raise LinkInvalid()
    return client


def portal_email_change_request(*, client: Client, new_email: str) -> PortalEmailChange:
    """Ask the new address to confirm; the client's email changes only then. A new request
    replaces an open one."""
    new_email = new_email.strip().lower()
    if new_email == client.email.lower():
        raise EmailUnchanged()
    token = token_new()
    lifetime = timedelta(seconds=_setting("PORTAL_EMAIL_CHANGE_SECONDS", 86400))
    with transaction.atomic():
        PortalEmailChange.objects.filter(
            firm_id=client.firm_id, client=client, confirmed_at=None, canceled_at=None
        ).update(canceled_at=timezone.now())
        change = PortalEmailChange.objects.create(
            firm_id=client.firm_id,
            client=client,
            new_email=new_email,
            token_hash=token_hash(token),
            expires_at=timezone.now() + lifetime,
        )
        transaction.on_commit(lambda: email_change_email_send(change=change, token=token))
    return change


def portal_email_change_confirm(*, firm, client: Client, token: str) -> Client:
    """Apply the change the link was sent for (only by the client it belongs to)."""
    now = timezone.now()
    with transaction.atomic():
        change = (
            PortalEmailChange.objects.select_for_update()
            .filter(firm=firm, client=client, token_hash=token_hash(token))
            .first()
        )
        if change is None or change.confirmed_at or change.canceled_at or change.expires_at <= now:
            raise LinkInvalid()
        change.confirmed_at = now
        change.save(update_fields=["confirmed_at", "updated_at"])
        client = Client.objects.select_for_update().get(pk=client.pk, firm=firm)
        return client_update(client=client, email=change.new_email)


CONTACT_FIELDS = ("name", "address_line1", "address_line2", "city", "postcode", "country")


def portal_contact_update(*, client: Client, **fields) -> Client:
    """Name and address, changed at once (the email goes through portal_email_change_request)."""
    unknown = set(fields) - set(CONTACT_FIELDS)
    if unknown:
        raise TypeError(f"portal_contact_update cannot change {sorted(unknown)}")
    return client_update(client=client, **fields)
