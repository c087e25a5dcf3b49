from firmpay.payments.tests.conftest import (  # noqa: F401 - fixtures
    firm,
    make_firm,
    owner,
    stripe_webhook_secrets,
)
from tests.stripe_fixtures import stripe_settings  # noqa: F401 - a fixture
