from firmpay.accounting.providers.xero.client import XeroProvider

__all__ = ["XeroProvider"]
