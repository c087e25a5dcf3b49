"""Invoice money: integer minor units, Decimal arithmetic, per-line half-up rounding."""

import decimal
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from firmpay.clients.tests.builders import client_build, firm_build
from firmpay.core.money import to_decimal
from firmpay.invoices.forms import LineForm
from firmpay.invoices.models import Invoice
from firmpay.invoices.services import invoice_create
from firmpay.invoices.totals import LineInput, invoice_amounts, line_amounts

CURRENCIES = ["USD", "GBP", "JPY", "KWD"]

lines_strategy = st.lists(
    st.builds(
        LineInput,
        description=st.just("Work"),
        quantity=st.decimals(min_value=0, max_value=10_000, places=2),
        unit_amount=st.integers(min_value=0, max_value=10**9),
        tax_rate=st.decimals(min_value=0, max_value=100, places=3),
    ),
    min_size=1,
    max_size=8,
)


def line_form_data(line: LineInput, currency: str) -> dict:
    return {
        "description": line.description,
        "quantity": str(line.quantity),
        "unit_price": f"{to_decimal(line.unit_amount, currency):f}",
        "tax_rate": str(line.tax_rate),
    }


def no_floats():
    """A decimal context that raises on any float mixed into Decimal arithmetic."""
    context = decimal.getcontext().copy()
    context.traps[decimal.FloatOperation] = True
    return decimal.localcontext(context)


def test_lines_round_half_up_per_line():
    # 3 × 0.125 → 0.375 → 0.38; tax 7.5% of 0.38 = 0.0285 → 0.03
    amounts = line_amounts(LineInput("Work", Decimal("3"), 13, Decimal("7.5")))
    assert (amounts.line_subtotal, amounts.line_tax) == (39, 3)
    # half exactly rounds up: 0.5 minor unit → 1
    assert line_amounts(LineInput("Work", Decimal("0.5"), 1, Decimal(0))).line_subtotal == 1
    assert line_amounts(LineInput("Work", Decimal("1"), 10, Decimal("5"))).line_tax == 1


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ({"quantity": 1.5}, TypeError),
        ({"unit_amount": 12.5}, TypeError),
        ({"unit_amount": Decimal("12")}, TypeError),
        ({"tax_rate": 0.2}, TypeError),
        ({"quantity": Decimal("1.005")}, ValueError),
        ({"tax_rate": Decimal("100.5")}, ValueError),
        ({"unit_amount": -1}, ValueError),
    ],
)
def test_a_line_refuses_floats_and_amounts_out_of_range(value, error):
    fields = {"description": "Work", "quantity": Decimal(1), "unit_amount": 100} | value
    with pytest.raises(error):
        LineInput(**fields)


@given(lines=lines_strategy)
@settings(max_examples=300)
def test_line_totals_and_tax_add_up_to_the_invoice_total_exactly(lines):
    with no_floats():
        amounts = [line_amounts(line) for line in lines]
        totals = invoice_amounts(amounts)
    assert totals.total == sum(a.line_subtotal + a.line_tax for a in amounts)
    assert totals.subtotal + totals.tax_total == totals.total
    for line, a in zip(lines, amounts, strict=True):
        assert type(a.line_subtotal) is int and type(a.line_tax) is int
        exact = line.quantity * line.unit_amount
        assert abs(a.line_subtotal - exact) <= Decimal("0.5")
        assert abs(a.line_tax - a.line_subtotal * line.tax_rate / 100) <= Decimal("0.5")


@pytest.mark.django_db
@given(lines=lines_strategy, currency=st.sampled_from(CURRENCIES))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_stored_invoices_in_every_currency_add_up_exactly_with_no_float(lines, currency):
    """The whole path: the firm types major units into the line form, the form parses them
    into minor units of the currency, the service computes and stores."""
    firm = firm_build(default_currency=currency)
    client = client_build(firm=firm, currency=currency)
    with no_floats():
        forms = [LineForm(line_form_data(line, currency), currency=currency) for line in lines]
        assert all(form.is_valid() for form in forms), [form.errors for form in forms]
        typed = [form.line() for form in forms]
        assert typed == lines
        created = invoice_create(firm=firm, client=client, lines=typed)
    invoice = Invoice.objects.get(pk=created.pk)
    stored = list(invoice.lines.all())
    assert invoice.currency == currency
    for field in ("subtotal", "tax_total", "total", "amount_paid", "amount_due"):
        assert type(getattr(invoice, field)) is int
    for line in stored:
        assert type(line.quantity) is Decimal and type(line.tax_rate) is Decimal
        assert type(line.unit_amount) is int
        assert type(line.line_subtotal) is int and type(line.line_tax) is int
    assert sum(line.line_subtotal + line.line_tax for line in stored) == invoice.total
    assert invoice.subtotal + invoice.tax_total == invoice.total == invoice.amount_due
    assert [(line.quantity, line.unit_amount, line.tax_rate) for line in stored] == [
        (line.quantity, line.unit_amount, line.tax_rate) for line in lines
    ]
