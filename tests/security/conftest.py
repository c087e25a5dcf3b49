import pytest

from tests.stripe_fixtures import stripe_settings  # noqa: F401 - a fixture

WEBHOOK_SECRET = "whsec_securitytests0000000000000000"


@pytest.fixture
def stripe_webhook_secrets() -> list[str]:
    return [WEBHOOK_SECRET]
