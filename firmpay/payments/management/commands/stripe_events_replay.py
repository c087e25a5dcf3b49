"""Replay stored Stripe events: `--id EVT` (any status) or `--failed` (every failed one)."""

from django.core.management.base import BaseCommand, CommandError

from firmpay.payments.models import StripeEvent
from firmpay.payments.services import stripe_event_replay, stripe_events_replay_failed


class Command(BaseCommand):
    help = "Process stored Stripe events again (by id, or every failed one)."

    def add_arguments(self, parser):
        parser.add_argument("--id", dest="event_ids", action="append", default=[], metavar="EVT")
        parser.add_argument("--failed", action="store_true", help="every failed event")

    def handle(self, *args, event_ids, failed, **options):
        if not event_ids and not failed:
            raise CommandError("Give --id EVT (repeatable) or --failed.")
        results = {}
        for event_id in event_ids:
            try:
                results[event_id] = stripe_event_replay(event_id=event_id)
            except StripeEvent.DoesNotExist:
                raise CommandError(f"No stored event {event_id}") from None
        if failed:
            results.update(stripe_events_replay_failed())
        for event_id, status in results.items():
            self.stdout.write(f"{event_id} {status}")
        self.stdout.write(f"replayed {len(results)} event(s)")
