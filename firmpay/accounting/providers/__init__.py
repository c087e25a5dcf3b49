"""Accounting providers by vendor code. `provider_for("xero")` is the only way in."""

from firmpay.accounting.providers.base import Provider

VENDORS = ("xero", "quickbooks")


def provider_for(vendor: str) -> Provider:
    if vendor == "xero":
        from firmpay.accounting.providers.xero import XeroProvider

        return XeroProvider()
    if vendor == "quickbooks":
        from firmpay.accounting.providers.quickbooks import QuickBooksProvider

        return QuickBooksProvider()
    raise ValueError(f"unknown accounting vendor {vendor!r}")


def vendor_available(vendor: str) -> bool:
    """App credentials for the vendor and a key to encrypt its tokens are both set."""
    from django.conf import settings

    return bool(settings.ACCOUNTING_TOKEN_KEY) and provider_for(vendor).is_configured()
