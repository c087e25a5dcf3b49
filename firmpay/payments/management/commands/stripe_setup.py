"""Register the Connect webhook endpoint `<SITE_URL>/webhooks/stripe/` and store its secret.

Idempotent: an endpoint already registered for the URL in the pinned API version is reused
(its subscriptions repaired) and the stored secret kept (Stripe shows a secret only when the
endpoint is created). One in another API version is replaced by a new one (new secret).
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from firmpay.payments.exceptions import PaymentsError
from firmpay.payments.stripe import endpoints, webhooks


class Command(BaseCommand):
    help = "Register Firmpay's Connect webhook endpoint with Stripe (or the sandbox)."

    def add_arguments(self, parser):
        parser.add_argument("--url", help="default: SITE_URL + /webhooks/stripe/")

    def handle(self, *args, url=None, **options):
        if not settings.STRIPE_SECRET_KEY:
            raise CommandError("STRIPE_SECRET_KEY is not set.")
        url = url or settings.SITE_URL + reverse("payments:stripe_webhook")
        try:
            endpoint = endpoints.endpoint_ensure(url)
        except PaymentsError as error:
            raise CommandError(f"Stripe refused the webhook endpoint: {error}") from error
        if endpoint.replaced:
            self.stdout.write(
                f"Replaced webhook endpoint {endpoint.replaced} (another API version) with one "
                f"in {endpoint.api_version}: give every machine the new secret "
                "(STRIPE_WEBHOOK_SECRET) if you set it there."
            )
        if endpoint.secret:
            path = webhooks.store_secret(endpoint.secret)
            self.stdout.write(
                f"Created webhook endpoint {endpoint.id} for {url} "
                f"(API version {endpoint.api_version}); secret in {path}"
            )
        elif webhooks.stored_secret() or settings.STRIPE_WEBHOOK_SECRET:
            self.stdout.write(f"Webhook endpoint {endpoint.id} for {url} already registered")
        else:
            self.stderr.write(
                f"Webhook endpoint {endpoint.id} for {url} exists but its secret is unknown: "
                "set STRIPE_WEBHOOK_SECRET or delete the endpoint and run this again."
            )
