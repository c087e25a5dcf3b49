"""Writes for branding: the firm's document details, accent colour, locale and logo."""

from __future__ import annotations

import io

from django.db import transaction
from django.db.models import F

from firmpay.core.audit import audit_record_create
from firmpay.documents.exceptions import LogoRefused
from firmpay.documents.models import LOGO_TYPES, FirmBranding
from firmpay.documents.selectors import branding_for

LOGO_MAX_BYTES = 512 * 1024
LOGO_MAX_SIDE = 4000
_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}


def logo_check(content: bytes) -> str:
    """The logo's media type, judged from its bytes (never the upload's claimed type):
    a PNG or JPEG up to 512 KB and 4000 px a side. Raises LogoRefused."""
    if len(content) > LOGO_MAX_BYTES:
        raise LogoRefused("The logo must be 512 KB or smaller.")
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(content)) as image:
            kind = _FORMATS.get(image.format or "")
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise LogoRefused("The logo must be a PNG or JPEG image.") from error
    if kind not in LOGO_TYPES:
        raise LogoRefused("The logo must be a PNG or JPEG image.")
    if width > LOGO_MAX_SIDE or height > LOGO_MAX_SIDE:
        raise LogoRefused(f"The logo must be at most {LOGO_MAX_SIDE} pixels a side.")
    return kind


def branding_update(
    *,
    firm,
    address: str,
    tax_details: str,
    accent_colour: str,
    locale: str,
    logo: bytes | None = None,
    remove_logo: bool = False,
    actor=None,
    request=None,
) -> FirmBranding:
    """Save the firm's branding; `logo` bytes replace the logo (checked first: a refused
    logo changes nothing at all)."""
    logo_type = logo_check(logo) if logo is not None else None
    with transaction.atomic():
        branding, _ = FirmBranding.objects.select_for_update().get_or_create(
            firm=firm, defaults={"locale": branding_for(firm=firm).locale}
        )
        branding.address = address.strip()
        branding.tax_details = tax_details.strip()
        branding.accent_colour = accent_colour.lower()
        branding.locale = locale
        if logo is not None:
            branding.logo, branding.logo_type = logo, logo_type
        elif remove_logo:
            branding.logo, branding.logo_type = None, ""
        branding.version = F("version") + 1
        branding.full_clean(exclude=["firm", "version", "logo"])
        branding.save()
        branding.refresh_from_db()
        audit_record_create(
            action="documents.branding_update",
            firm=firm,
            actor=actor,
            target=branding,
            detail={"logo": "replaced" if logo is not None else ("removed" if remove_logo else "")},
            request=request,
        )
    firm.__dict__.pop("_branding_cache", None)
    return branding
