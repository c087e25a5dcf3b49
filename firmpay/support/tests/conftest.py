from firmpay.integrations.tests.conftest import (  # noqa: F401 - shared fixtures
    firm,
    make_firm,
    owner_client,
    staff_client,
    stripe_settings,
)
