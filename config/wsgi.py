import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_application = get_wsgi_application()

# POST /webhooks/stripe/ skips Django's middleware and URL resolution (the hot path).
from firmpay.payments.webhook_wsgi import with_lean_webhook  # noqa: E402

application = with_lean_webhook(django_application)
