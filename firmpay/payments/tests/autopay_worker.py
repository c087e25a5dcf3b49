"""A separate autopay worker process for the SIGKILL test: `python -m
firmpay.payments.tests.autopay_worker` runs one sweep against the database named by
DATABASE_URL and the Stripe sandbox named by STRIPE_API_BASE (both from the test), then prints
what it did. With FIRMPAY_TEST_SIGKILL_AFTER_STRIPE_CALL set it dies by SIGKILL as soon as
Stripe has answered, before our commit (`charges.stripe_answered`)."""

from __future__ import annotations

import json
import os


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    import django

    django.setup()
    from firmpay.payments.autopay.charges import autopay_sweep

    result = autopay_sweep()
    print(json.dumps({"picked": result.picked, "charged": result.charged}))  # noqa: T201


if __name__ == "__main__":
    main()
