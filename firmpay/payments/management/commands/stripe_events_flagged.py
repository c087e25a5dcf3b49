"""List Stripe events kept but not read because Stripe sent them in another API version
than the one Firmpay reads. Fix the endpoint (`manage.py stripe_setup` recreates it in the
pinned version), then ask Stripe to resend them or replay them once Firmpay reads that
version (`manage.py stripe_events_replay --id EVT`)."""

from django.core.management.base import BaseCommand

from firmpay.payments.connect.selectors import stripe_api_version, stripe_events_flagged


class Command(BaseCommand):
    help = "List Stripe events flagged because of their API version."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=100)

    def handle(self, *args, limit, **options):
        flagged = stripe_events_flagged(limit=limit)
        for event in flagged:
            self.stdout.write(
                f"{event.event_id} {event.type} account={event.account_id or '-'} "
                f"received={event.received_at:%Y-%m-%d %H:%M:%S} api_version={event.api_version}"
            )
        self.stdout.write(
            f"{len(flagged)} flagged event(s); Firmpay reads API version {stripe_api_version()}"
        )
