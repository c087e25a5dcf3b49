"""The unsubscribe link in reminder emails: `/reminders/unsubscribe/<signed client id>/`.

Signed, never expiring (an old email's link must still work), and only good for stopping
reminders to that one client."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from firmpay.core.numbers import id_or_none

_signer = signing.Signer(salt="firmpay.reminders.unsubscribe")


def unsubscribe_token(client_id: int) -> str:
    return _signer.sign(str(client_id))


def unsubscribe_client_id(token: str) -> int | None:
    try:
        value = _signer.unsign(token)
    except signing.BadSignature:
        return None
    return id_or_none(value)


def unsubscribe_url(client_id: int) -> str:
    path = reverse("reminders:unsubscribe", kwargs={"token": unsubscribe_token(client_id)})
    return settings.SITE_URL + path
