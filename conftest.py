# Shared fixtures for every test: Chromium, the in-process Stripe sandbox, and the app's
# Stripe settings pointed at it (a conftest may override `stripe_webhook_secrets`).
pytest_plugins = [
    "tests.browser",
    "stripe_sandbox.pytest_plugin",
    "accounting_sandbox.pytest_plugin",
    "firmpay.accounting.tests.vendor_collector",
    "tests.stripe_fixtures",
]
