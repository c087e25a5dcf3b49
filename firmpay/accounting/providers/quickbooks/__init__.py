from firmpay.accounting.providers.quickbooks.client import QuickBooksProvider

__all__ = ["QuickBooksProvider"]
