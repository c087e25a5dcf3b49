import pytest
import respx

from firmpay.accounting.tests.fakes.quickbooks import FakeQuickBooks
from firmpay.accounting.tests.fakes.xero import FakeXero


@pytest.fixture
def accounting_settings(settings):
    settings.ACCOUNTING_TOKEN_KEY = "test-accounting-key"
    settings.XERO_CLIENT_ID, settings.XERO_CLIENT_SECRET = "xero-client", "xero-secret"
    settings.QUICKBOOKS_CLIENT_ID, settings.QUICKBOOKS_CLIENT_SECRET = "qbo-client", "qbo-secret"
    return settings


@pytest.fixture
def router():
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as mock:
        yield mock


@pytest.fixture
def xero(router, accounting_settings):
    return FakeXero().install(router)


@pytest.fixture
def qbo(router, accounting_settings):
    return FakeQuickBooks().install(router)
