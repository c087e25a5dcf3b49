"""Line and invoice totals in integer minor units. Decimal for the arithmetic, never float.

Each line rounds once for its subtotal and once for its tax (half-up, `round_minor`); the
invoice total is the exact sum of the rounded line amounts, so lines always add up to it.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from functools import lru_cache

from firmpay.core.money import round_minor

QUANTITY_PLACES = Decimal("0.01")
TAX_RATE_PLACES = Decimal("0.001")
MAX_QUANTITY = Decimal("1000000000")
MAX_UNIT_AMOUNT = 10**13


@dataclass(frozen=True, slots=True)
class LineInput:
    description: str
    quantity: Decimal
    unit_amount: int  # minor units of the invoice currency
    tax_rate: Decimal = Decimal(0)  # percent

    def __post_init__(self):
        if not isinstance(self.quantity, Decimal) or not isinstance(self.tax_rate, Decimal):
            raise TypeError("quantity and tax_rate are Decimals")
        if type(self.unit_amount) is not int:
            raise TypeError("unit_amount is an int in minor units")
        if not self.description.strip():
            raise ValueError("a line needs a description")
        if self.quantity != self.quantity.quantize(QUANTITY_PLACES) or not (
            0 <= self.quantity < MAX_QUANTITY
        ):
            raise ValueError("quantity has at most 2 decimal places and is not negative")
        if self.tax_rate != self.tax_rate.quantize(TAX_RATE_PLACES) or not (
            0 <= self.tax_rate <= 100
        ):
            raise ValueError("tax rate is a percent from 0 to 100 with at most 3 decimals")
        if not 0 <= self.unit_amount <= MAX_UNIT_AMOUNT:
            raise ValueError("unit amount is out of range")


@dataclass(frozen=True, slots=True)
class LineAmounts:
    line_subtotal: int
    line_tax: int


@dataclass(frozen=True, slots=True)
class InvoiceAmounts:
    subtotal: int
    tax_total: int
    total: int


def line_amounts(line: LineInput) -> LineAmounts:
    return _amounts(line.quantity, line.unit_amount, line.tax_rate)


@lru_cache(maxsize=4096)
def _amounts(quantity: Decimal, unit_amount: int, tax_rate: Decimal) -> LineAmounts:
    """Memoized: a bulk issue repeats a few (quantity, unit amount, tax rate) many times.
    Equal Decimals (1 and 1.00) give equal amounts, so sharing their entry is exact."""
    # Enough precision that no product here is ever rounded before round_minor.
    with localcontext(prec=60):
        subtotal = round_minor(quantity * unit_amount)
        tax = round_minor((Decimal(subtotal) * tax_rate).scaleb(-2))
    return LineAmounts(line_subtotal=subtotal, line_tax=tax)


def invoice_amounts(lines: Sequence[LineAmounts]) -> InvoiceAmounts:
    subtotal = sum((line.line_subtotal for line in lines), 0)
    tax_total = sum((line.line_tax for line in lines), 0)
    return InvoiceAmounts(subtotal=subtotal, tax_total=tax_total, total=subtotal + tax_total)
