from django.core.management.base import BaseCommand

from firmpay.demo.seed import FIRM_NAME, OWNER_EMAIL, PASSWORD, demo_seed


class Command(BaseCommand):
    help = "Create the demo firm with its people, clients and invoices (once; does nothing after)."

    def handle(self, *args, **options):
        firm = demo_seed()
        if firm is None:
            self.stdout.write(f"Demo data already present ({FIRM_NAME}).")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Created demo firm {FIRM_NAME}: log in as {OWNER_EMAIL} / {PASSWORD}"
            )
        )
