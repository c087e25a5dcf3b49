"""Recurring schedules that collect automatically hand their invoices to autopay: the
invoices hook "issued_for_autopay" marks each for collection when the schedule says."""

import pytest

from firmpay.invoices.models import Invoice
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
