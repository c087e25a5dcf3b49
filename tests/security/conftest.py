import pytest

WEBHOOK_SECRET = "whsec_securitytests0000000000000000"


@pytest.fixture
def stripe_settings(settings, stripe_sandbox, tmp_path):
    settings.STRIPE_API_BASE = stripe_sandbox.base_url
    settings.STRIPE_SECRET_KEY = stripe_sandbox.secret_key
    settings.STRIPE_CONNECT_CLIENT_ID = stripe_sandbox.client_id
    settings.STRIPE_WEBHOOK_SECRET = [WEBHOOK_SECRET]
    settings.STRIPE_WEBHOOK_SECRET_FILE = str(tmp_path / "stripe_webhook_secret")
    settings.STRIPE_SANDBOX_MODE = True
    return settings
