"""Amounts and dates written the way the firm's locale writes them (Babel's CLDR data):
1234.50 USD is "$1,234.50" in en_US, "1.234,50 $" in de_DE; dates "3 December 2026"
in en_GB, "December 3, 2026" in en_US."""

from __future__ import annotations

import datetime
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency

from firmpay.core.money import exponent


def money_localised(amount: int, currency: str, locale: str) -> str:
    places = exponent(currency)
    value = Decimal(int(amount)).scaleb(-places)
    return format_currency(value, currency.upper(), locale=locale, currency_digits=True)


def date_localised(day: datetime.date | datetime.datetime | None, locale: str) -> str:
    if day is None:
        return ""
    if isinstance(day, datetime.datetime):
        day = day.date()
    return format_date(day, format="long", locale=locale)
