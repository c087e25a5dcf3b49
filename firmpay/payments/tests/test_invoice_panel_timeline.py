"""The invoice page's payment timeline reads in the order things happened: a card declined
on the checkout page comes before the payment that then went through."""

import datetime
from types import SimpleNamespace

from django.template.loader import render_to_string


class _Empty:
    def all(self):
        return []


def test_a_declined_attempt_is_listed_before_the_successful_payment():
    at = datetime.datetime(2026, 11, 25, 23, 47, tzinfo=datetime.UTC)
    payment = SimpleNamespace(
        pk=1,
        amount=27328,
        currency="USD",
        method="card",
        method_label="Card",
        status="succeeded",
        get_status_display=lambda: "Succeeded",
        created_at=at,
        processing_at=None,
        succeeded_at=at,
        failed_at=None,
        failure_message="Your card was declined.",
        expired_at=None,
        refunds=_Empty(),
        disputes=_Empty(),
        refundable=0,
    )
    invoice = SimpleNamespace(disputed=False, currency="USD")
    html = render_to_string(
        "payments/_invoice_panel.html", {"invoice": invoice, "payments": [payment]}
    )
    assert html.index("Attempt declined") < html.index("Paid 25 Nov 2026")
