import pytest

from firmpay.core.money import MoneyError, format_amount, parse_amount


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [("12.50", "USD", 1250), ("1,500", "JPY", 1500), ("1.234", "KWD", 1234), ("£3", "GBP", 300)],
)
def test_amounts_parse_into_the_currencys_minor_unit(text, currency, minor):
    assert parse_amount(text, currency) == minor


@pytest.mark.parametrize(
    ("text", "currency"), [("1.5", "JPY"), ("1.234", "USD"), ("abc", "USD"), ("NaN", "USD")]
)
def test_amounts_the_currency_cannot_hold_are_refused(text, currency):
    with pytest.raises(MoneyError):
        parse_amount(text, currency)


def test_amounts_format_with_the_currencys_decimals():
    assert format_amount(1250, "USD") == "$12.50"
    assert format_amount(150000, "JPY") == "¥150,000"
    assert format_amount(1234, "KWD") == "KWD 1.234"


@pytest.mark.parametrize(
    ("text", "currency", "message"),
    [
        ("abc", "USD", "Enter an amount like 125.50."),
        ("", "GBP", "Enter an amount like 125.50."),
        ("Infinity", "USD", "Enter an amount like 125.50."),
        ("12 500 yen", "JPY", "Enter an amount like 12500."),
        ("x", "KWD", "Enter an amount like 125.500."),
    ],
)
def test_text_that_is_not_a_number_is_told_what_to_type(text, currency, message):
    with pytest.raises(MoneyError) as refused:
        parse_amount(text, currency)
    assert str(refused.value) == message
