"""Money as integers in the currency's minor unit. Decimal for arithmetic, never float."""

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from firmpay.core.numbers import NumberError, decimal_number

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


_ALL_MARKS = (
    frozenset(SYMBOLS.values())
    | {code for code, _label in CURRENCY_CHOICES}
    | {
        "US$",
        "€",
        "£",
        "¥",
        "￥",
        "₩",
        "₹",
        "₽",
        "₺",
        "₪",
        "₫",
        "元",
        "円",
        "KD",
    }
)
# What comes before the first ASCII digit or point: a currency's mark, or nothing.
_LEADING_MARK = re.compile(r"([^0-9.]*)(.*)", re.ASCII | re.DOTALL)


class MoneyError(ValueError):
    """An amount that cannot be expressed in its currency."""


class OtherCurrency(MoneyError):
    """An amount written with another currency's symbol or code."""


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


AMOUNT_MAX_WHOLE_DIGITS = 13  # 9,999,999,999,999 units: far above any invoice, within bigint
DOLLAR_CURRENCIES = frozenset({"USD", "CAD", "AUD", "NZD"})


def parse_amount(text: str, currency: str) -> int:
    """'12.50' in USD -> 1250. ASCII digits and one point only (core.numbers), bounded;
    refuses more decimals than the currency has, and another currency's symbol ('¥5' on a
    USD invoice is not $5.00)."""
    code = currency.upper()
    places = exponent(code)
    cleaned = _without_own_symbol(str(text).strip().replace(",", ""), code, places)
    try:
        value = decimal_number(cleaned, max_digits=AMOUNT_MAX_WHOLE_DIGITS)
    except NumberError as exc:
        if "too large" in str(exc) or "too long" in str(exc):
            raise MoneyError("That amount is too large.") from exc
        raise MoneyError(_amount_expected(places)) from exc
    scaled = value.scaleb(places)
    if scaled != scaled.to_integral_value():
        unit = "whole units" if places == 0 else f"{places} decimal places"
        raise MoneyError(f"{code} amounts have {unit}")
    return int(scaled)


def _without_own_symbol(text: str, code: str, places: int) -> str:
    """The number without a leading symbol or code of its own currency; MoneyError for
    another currency's."""
    sign = "-" if text.startswith("-") else ""
    mark, number = _LEADING_MARK.fullmatch(text.removeprefix("-")).groups()
    mark = mark.strip()
    if not mark:
        return text
    own = {SYMBOLS.get(code), code} | ({"$", "US$"} if code in DOLLAR_CURRENCIES else set())
    if mark in own:
        return sign + number.strip()
    if mark in _ALL_MARKS or mark.upper() in _ALL_MARKS:
        raise OtherCurrency(
            f"This amount is in {code}: enter it without another currency's symbol."
        )
    raise MoneyError(_amount_expected(places))


def to_decimal(amount: int, currency: str) -> Decimal:
    return Decimal(amount).scaleb(-exponent(currency))


def format_amount(amount: int, currency: str, *, symbol: bool = True) -> str:
    """1250 USD -> '$12.50'; 1500 JPY -> '¥1,500'; 1234 KWD -> 'KWD 1.234'."""
    code = currency.upper()
    places = exponent(code)
    sign = "-" if amount < 0 else ""
    if isinstance(amount, int):
        # Integer arithmetic: exact like Decimal, and cheaper (a list page formats 100 amounts).
        whole, fraction = divmod(abs(amount), 10**places)
        number = f"{whole:,}.{fraction:0{places}d}" if places else f"{whole:,}"
    else:
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
