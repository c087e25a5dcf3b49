import pytest

from firmpay.reminders.placeholders import (
    PlaceholderError,
    placeholders_check,
    placeholders_render,
)

VALUES = {
    "client_name": "Acme {Ltd}",
    "invoice_number": "INV-0007",
    "amount_due": "¥1,500",
    "due_date": "1 May 2026",
    "pay_link": "https://pay.example/i/x",
}


def test_every_placeholder_is_substituted():
    text = "{client_name}: {invoice_number} {amount_due} {due_date} {pay_link}"
    assert placeholders_render(text, VALUES) == (
        "Acme {Ltd}: INV-0007 ¥1,500 1 May 2026 https://pay.example/i/x"
    )


def test_double_braces_are_literal_braces():
    assert placeholders_render("{{client_name}}", VALUES) == "{client_name}"


@pytest.mark.parametrize(
    "text",
    ["{client_name.__class__}", "{amount_due!r}", "{due_date:%Y}", "{0}", "{}", "{pay_link[0]}"],
)
def test_attribute_access_conversions_and_formats_are_refused(text):
    with pytest.raises(PlaceholderError, match="Unknown placeholder"):
        placeholders_check(text)


def test_unknown_placeholders_are_named():
    with pytest.raises(PlaceholderError) as info:
        placeholders_check("{name} owes {amount}")
    assert str(info.value).startswith("Unknown placeholders {name}, {amount}.")
