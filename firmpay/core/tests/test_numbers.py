"""The strict number parser (core/numbers.py) and amounts built on it (issue 19, finding 3)."""

from decimal import Decimal

import pytest

from firmpay.core.money import MoneyError, OtherCurrency, parse_amount
from firmpay.core.numbers import MAX_ID, NumberError, decimal_number, id_or_none, whole_number

HOSTILE = [
    "²",
    "٣",
    "１",
    "1e999999",
    "9" * 10_000,
    "NaN",
    "inf",
    "",
    " ",
    "\x00",
    "1\x002",
    "0x10",
    "1_000",
    "+-1",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_whole_numbers_take_ascii_digits_only(text):
    with pytest.raises(NumberError):
        whole_number(text)


@pytest.mark.parametrize("text", HOSTILE + ["-1", "0", str(MAX_ID + 1)])
def test_anything_but_a_valid_id_is_no_id(text):
    assert id_or_none(text) is None


def test_ids_parse():
    assert id_or_none(" 42 ") == 42
    assert id_or_none(str(MAX_ID)) == MAX_ID


def test_whole_numbers_are_bounded_with_a_message():
    with pytest.raises(NumberError, match="at least 0"):
        whole_number("-1")
    with pytest.raises(NumberError, match="no larger than 10"):
        whole_number("11", maximum=10)


@pytest.mark.parametrize("text", HOSTILE + ["1.2.3", "1e5", "."])
def test_decimals_take_ascii_digits_and_one_point_only(text):
    with pytest.raises(NumberError):
        decimal_number(text)


def test_decimals_parse_within_their_bounds():
    assert decimal_number("12.50", places=2) == Decimal("12.50")
    with pytest.raises(NumberError):
        decimal_number("1.234", places=2)
    with pytest.raises(NumberError):
        decimal_number("1" * 21)


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_amounts_are_refused_with_a_message(text):
    with pytest.raises(MoneyError):
        parse_amount(text, "USD")


@pytest.mark.parametrize(
    ("text", "currency"),
    [("¥5", "USD"), ("£5", "USD"), ("€5", "GBP"), ("EUR 5", "USD"), ("$5", "JPY")],
)
def test_another_currencys_symbol_is_refused(text, currency):
    with pytest.raises(OtherCurrency, match=f"in {currency}"):
        parse_amount(text, currency)


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [("$5", "USD", 500), ("USD 5", "USD", 500), ("¥500", "JPY", 500), ("CA$5", "CAD", 500)],
)
def test_the_currencys_own_symbol_is_fine(text, currency, minor):
    assert parse_amount(text, currency) == minor
