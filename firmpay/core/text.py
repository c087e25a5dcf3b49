"""Single-line text: names that end up in email headers and one-line labels (firm name,
client name, a person's name). A line break there stops every email that carries it, so
forms refuse line breaks and control characters, and headers fold any old value to one line."""

import unicodedata

from django import forms
from django.core.exceptions import ValidationError

# Cc: C0/C1 controls (\n, \r, \t, \x00, \x85, ...); Zl/Zp: U+2028, U+2029.
_BREAKING = frozenset({"Cc", "Zl", "Zp"})
SINGLE_LINE_MESSAGE = "Use one line, without line breaks or control characters."


def has_control_characters(value: str) -> bool:
    return any(unicodedata.category(char) in _BREAKING for char in value or "")


def single_line_validate(value: str) -> None:
    if has_control_characters(value):
        raise ValidationError(SINGLE_LINE_MESSAGE, code="single_line")


def one_line(value: str) -> str:
    """`value` with each line break or control character turned into a space."""
    text = "".join(" " if unicodedata.category(c) in _BREAKING else c for c in value or "")
    return " ".join(text.split())


class SingleLineField(forms.CharField):
    """A CharField that refuses line breaks and control characters."""

    default_validators = [single_line_validate]

    def to_python(self, value):
        # Django's CharField strips; check what was typed, not what survived the strip.
        if isinstance(value, str) and has_control_characters(value.strip(" ")):
            raise ValidationError(SINGLE_LINE_MESSAGE, code="single_line")
        return super().to_python(value)
