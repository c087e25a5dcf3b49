"""Catch up on Stripe events now instead of waiting for the periodic tasks (after an
incident: a worker killed, Redis lost its queue, an outage at Stripe).

1. Reconcile (unless --no-reconcile): refresh every connected account from Stripe and store
   the events Stripe could not deliver (what the hourly task does).
2. Process every stored event that is not finished: received or failed rows that are due,
   (for more than 30 s, so the event workers had their chance), and rows whose worker died holding the processing lease (its lease written more than
   --stale-after seconds ago, 30 by default; a live worker renews it every 20 s).

Safe to run while workers run: a finished row is never processed again, and each
handler records facts that a repeat leaves unchanged.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db.models import Q
from django.utils import timezone

from firmpay.payments.models import StripeEvent, StripeEventStatus
from firmpay.payments.services import stripe_event_process, stripe_events_reconcile
from firmpay.payments.services.events import PROCESSING_LEASE, SWEEP_GRACE


class Command(BaseCommand):
    help = "Reconcile with Stripe and process every unfinished Stripe event now."

    def add_arguments(self, parser):
        parser.add_argument("--no-reconcile", action="store_true")
        parser.add_argument("--stale-after", type=int, default=30, metavar="SECONDS")

    def handle(self, *args, no_reconcile, stale_after, **options):
        if not no_reconcile:
            self.stdout.write(f"reconcile: {stripe_events_reconcile()}")
        now = timezone.now()
        claimed_before = now - timedelta(seconds=stale_after)
        unfinished = StripeEvent.objects.filter(
            status__in=[StripeEventStatus.RECEIVED, StripeEventStatus.FAILED]
        ).filter(
            Q(next_attempt_at__lte=now - SWEEP_GRACE)
            | Q(next_attempt_at__lte=claimed_before + PROCESSING_LEASE, attempts__gt=0)
            | Q(status=StripeEventStatus.FAILED)
        )
        outcomes: dict[str, int] = {}
        for event_id in unfinished.values_list("event_id", flat=True):
            # force: the lease of a dead worker, or a failed row's backoff, is not waited out.
            outcome = stripe_event_process(event_id=event_id, force=True) or "skipped"
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        self.stdout.write(f"processed: {sum(outcomes.values())} {outcomes}")
