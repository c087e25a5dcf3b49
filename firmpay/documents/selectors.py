from firmpay.documents.models import DEFAULT_ACCENT, FirmBranding

LOCALE_FOR_COUNTRY = {"US": "en_US", "GB": "en_GB", "CA": "en_CA", "AU": "en_AU", "NZ": "en_NZ"}


def branding_for(*, firm) -> FirmBranding:
    """The firm's branding, or defaults from its country (not stored by a read)."""
    found = getattr(firm, "_branding_cache", None)
    if found is None:
        found = FirmBranding.objects.filter(firm=firm).first() or FirmBranding(
            firm=firm,
            accent_colour=DEFAULT_ACCENT,
            locale=LOCALE_FOR_COUNTRY.get(getattr(firm, "country", ""), "en_US"),
        )
        firm._branding_cache = found
    return found
