"""The one strict parser for numbers that come from a request: ids, counts, minor units,
decimals (amounts are parsed by `firmpay.core.money.parse_amount`, which uses it).

Only ASCII digits count: Python's `int()` and `Decimal()` also take other scripts' digits
("٣"), `str.isdigit()` is true for superscripts ("²") that `int()` refuses, and `Decimal`
takes exponents ("1e999999") that turn into a million-digit integer. Every parser here is
bounded and raises `NumberError` with a message written for the user; views answer 400 or a
form error with it, and query parameters that are not a valid number are treated as absent."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms

MAX_ID = 2**63 - 1  # BigAutoField
_WHOLE = re.compile(r"-?[0-9]+", re.ASCII)
_DECIMAL = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)


class NumberError(ValueError):
    """Text that is not a number we take; `str(error)` is the message for the user."""


def whole_number(text, *, minimum: int = 0, maximum: int = MAX_ID) -> int:
    """'42' -> 42. ASCII digits only (a leading '-' when `minimum` is negative)."""
    value = str("" if text is None else text).strip()
    limit = len(str(max(abs(minimum), abs(maximum)))) + 1
    if len(value) > limit or not _WHOLE.fullmatch(value):
        raise NumberError("Enter a whole number.")
    number = int(value)
    if number < minimum:
        raise NumberError(f"Enter a number of at least {minimum}.")
    if number > maximum:
        raise NumberError(f"Enter a number no larger than {maximum}.")
    return number


def id_or_none(value) -> int | None:
    """A row id from a query parameter or a form, or None when it is not one."""
    try:
        return whole_number(value, minimum=1)
    except NumberError:
        return None


def decimal_number(text, *, max_digits: int = 20, places: int | None = None) -> Decimal:
    """'12.5' -> Decimal('12.5'): ASCII digits and one point, no exponent, at most
    `max_digits` digits before the point (and `places` after it, when given)."""
    value = str("" if text is None else text).strip()
    if len(value) > max_digits + (places if places is not None else max_digits) + 2:
        raise NumberError("That number is too long.")
    if not _DECIMAL.fullmatch(value):
        raise NumberError("Enter a number.")
    whole, _, fraction = value.lstrip("-").partition(".")
    if len(whole.lstrip("0")) > max_digits:
        raise NumberError("That number is too large.")
    if places is not None and len(fraction.rstrip("0")) > places:
        raise NumberError(f"Use at most {places} decimal places.")
    return Decimal(value)


class WholeNumberField(forms.IntegerField):
    """An IntegerField that takes ASCII digits only, bounded by min_value/max_value."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        low = self.min_value if self.min_value is not None else -MAX_ID
        high = self.max_value if self.max_value is not None else MAX_ID
        try:
            return whole_number(value, minimum=low, maximum=high)
        except NumberError as error:
            raise forms.ValidationError(str(error), code="invalid") from error


class DecimalNumberField(forms.DecimalField):
    """A DecimalField that takes ASCII digits and one point only (no exponent, no NaN)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            whole = (self.max_digits or 20) - (self.decimal_places or 0)
            return decimal_number(value, max_digits=whole, places=self.decimal_places)
        except NumberError as error:
            raise forms.ValidationError(str(error), code="invalid") from error
