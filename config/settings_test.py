"""Test settings: the same settings, with the choices tests need made explicit."""

import os

os.environ.setdefault(
    "FIRMPAY_DATA_DIR", os.path.join(os.path.dirname(__file__), "..", "data", "test")
)
# Playwright's sync API runs an event loop in the test thread; Django's ORM guard
# would refuse every query made beside it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from config.settings import *  # noqa: E402,F403
from config.settings import HUEY, REDIS_URL  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The test runner swaps every MAILERS entry for the locmem backend (mail.outbox).
# Tasks run in the test's thread; with REDIS_URL they still go through Redis.
HUEY = {**HUEY, "immediate": True, "immediate_use_memory": not REDIS_URL}
# No event worker loop in tests: a stored webhook event is processed after commit.
STRIPE_EVENTS_PROCESS_INLINE = True

# Tests serve static files from the apps' folders (no collectstatic); WhiteNoise still wants
# its root to exist.
from config.settings import DATA_DIR  # noqa: E402

STATIC_ROOT = DATA_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True
