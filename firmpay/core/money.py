"""Money as integers in the currency's minor unit. Decimal for arithmetic, never float."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# Stripe's zero-decimal currencies: the amount is in whole units.
ZERO_DECIMAL = frozenset(
    [
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "JPY",
        "KMF",
        "KRW",
        "MGA",
        "PYG",
        "RWF",
        "UGX",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    ]
)
THREE_DECIMAL = frozenset(["BHD", "JOD", "KWD", "OMR", "TND"])

CURRENCY_CHOICES = [
    ("USD", "USD — US dollar"),
    ("GBP", "GBP — Pound sterling"),
    ("EUR", "EUR — Euro"),
    ("CAD", "CAD — Canadian dollar"),
    ("AUD", "AUD — Australian dollar"),
    ("NZD", "NZD — New Zealand dollar"),
    ("JPY", "JPY — Japanese yen"),
    ("KWD", "KWD — Kuwaiti dinar"),
]
SYMBOLS = {"USD": "$", "GBP": "£", "EUR": "€", "CAD": "CA$", "AUD": "A$", "NZD": "NZ$", "JPY": "¥"}


class MoneyError(ValueError):
    """An amount that cannot be expressed in its currency."""


def exponent(currency: str) -> int:
    code = currency.upper()
    if code in ZERO_DECIMAL:
        return 0
    if code in THREE_DECIMAL:
        return 3
    return 2


def round_minor(value: Decimal) -> int:
    """Round a Decimal amount of minor units half away from zero, as accountants do."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _amount_expected(places: int) -> str:
    """What to type instead: 'like 125.50' in USD, 'like 12500' in JPY, 'like 125.500' in KWD."""
    example = "12500" if places == 0 else "125." + "50".ljust(places, "0")[:places]
    return f"Enter an amount like {example}."


def parse_amount(text: str, currency: str) -> int:
    """'12.50' in USD -> 1250. Refuses more decimals than the currency has."""
    cleaned = str(text).strip().replace(",", "")
    for symbol in SYMBOLS.values():
        cleaned = cleaned.removeprefix(symbol)
    places = exponent(currency)
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise MoneyError(_amount_expected(places)) from exc
    if not value.is_finite():
        raise MoneyError(_amount_expected(places))
    scaled = value.scaleb(places)
    if scaled != scaled.to_integral_value():
        unit = "whole units" if places == 0 else f"{places} decimal places"
        raise MoneyError(f"{currency.upper()} amounts have {unit}")
    return int(scaled)


def to_decimal(amount: int, currency: str) -> Decimal:
    return Decimal(amount).scaleb(-exponent(currency))


def format_amount(amount: int, currency: str, *, symbol: bool = True) -> str:
    """1250 USD -> '$12.50'; 1500 JPY -> '¥1,500'; 1234 KWD -> 'KWD 1.234'."""
    code = currency.upper()
    places = exponent(code)
    sign = "-" if amount < 0 else ""
    number = f"{abs(to_decimal(amount, code)):,.{places}f}"
    if symbol and code in SYMBOLS:
        return f"{sign}{SYMBOLS[code]}{number}"
    return f"{sign}{code} {number}"


@dataclass(frozen=True, slots=True)
class Money:
    amount: int
    currency: str

    def __str__(self) -> str:
        return format_amount(self.amount, self.currency)
