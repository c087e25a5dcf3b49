"""Recurring schedules that collect automatically hand their invoices to autopay: the
invoices hook "issued_for_autopay" marks each for collection when the schedule says."""

import pytest
import time_machine

from firmpay.invoices.models import Invoice
from firmpay.payments.autopay.authorise import invoice_autopay_mark
from firmpay.payments.autopay.models import CollectOn, InvoiceAutopay
from firmpay.recurring.models import Autopay
from firmpay.recurring.tests.conftest import clock  # noqa: F401 - a fixture
from firmpay.recurring.tests.helpers import firm_in, schedule_build
from firmpay.recurring.tests.test_sweep import MAY_1

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("autopay", "collect_on"),
    [(Autopay.ON_ISSUE, CollectOn.ISSUE), (Autopay.ON_DUE_DATE, CollectOn.DUE)],
)
def test_a_schedule_that_collects_automatically_marks_its_invoice_for_autopay(
    clock,  # noqa: F811
    autopay,
    collect_on,
):
    firm = firm_in()
    schedule_build(firm=firm, created_at=MAY_1, autopay=autopay)
    schedule_build(firm=firm, created_at=MAY_1)  # paid by hand
    clock.sweep(MAY_1)

    marked = InvoiceAutopay.objects.get(firm=firm)
    assert marked.collect_on == collect_on
    assert marked.invoice == Invoice.objects.get(recurring_issue__schedule__autopay=autopay)


MARKED = ("firm_id", "collect_on", "status", "next_attempt_at", "attempts", "last_error")


def test_the_sweep_marks_invoices_exactly_as_one_invoice_is_marked_by_hand(clock):  # noqa: F811
    """The sweep writes its autopay rows in bulk (on issue: one INSERT ... SELECT); each
    must be the row `invoice_autopay_mark` writes for that invoice, for firms in different
    zones and both moments of collection."""
    for zone in ("Europe/London", "Europe/Berlin", "Asia/Kolkata"):
        firm = firm_in(zone)
        schedule_build(firm=firm, created_at=MAY_1, autopay=Autopay.ON_ISSUE)
        schedule_build(firm=firm, created_at=MAY_1, autopay=Autopay.ON_DUE_DATE)
    assert clock.sweep(MAY_1).issued == 6

    swept = {row.invoice_id: row for row in InvoiceAutopay.objects.all()}
    assert len(swept) == 6
    assert {row.collect_on for row in swept.values()} == {CollectOn.ISSUE, CollectOn.DUE}
    for invoice_id, row in swept.items():
        row.delete()
        invoice = Invoice.objects.select_related("firm").get(pk=invoice_id)
        with time_machine.travel(MAY_1, tick=False):
            by_hand = invoice_autopay_mark(invoice=invoice, collect_on=row.collect_on)
        by_hand.refresh_from_db()
        assert [getattr(row, name) for name in MARKED] == [
            getattr(by_hand, name) for name in MARKED
        ], invoice.firm.timezone
