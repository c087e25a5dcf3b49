"""The client link: `/i/<signed token>/`. The token is random and stored on the invoice; the
signature lets us refuse a tampered link before touching the database; rotating the token
(revoking) makes every older link a 404."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

_signer = signing.Signer(salt="firmpay.invoices.client-link")


def link_sign(token: str) -> str:
    return _signer.sign(token)


def link_unsign(value: str) -> str | None:
    try:
        return _signer.unsign(value)
    except signing.BadSignature:
        return None


def invoice_link_path(invoice) -> str:
    return reverse("invoice_link:show", kwargs={"token": link_sign(invoice.link_token)})


def invoice_link_url(invoice) -> str:
    return settings.SITE_URL + invoice_link_path(invoice)
