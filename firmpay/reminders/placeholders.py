"""Reminder subject and body placeholders: `{client_name}` and friends.

Substitution is by name only: no attribute access, indexing, conversions or format specs
(`str.format` would happily evaluate `{client_name.__class__}`). `{{` and `}}` are literal
braces. Validation and rendering share one parser, so whatever validates renders.
"""

from string import Formatter

PLACEHOLDERS = {
    "client_name": "the client's name",
    "invoice_number": "the invoice number, e.g. INV-0042",
    "amount_due": "the amount still due, with its currency, e.g. $1,250.00",
    "due_date": "the due date, e.g. 14 March 2026",
    "pay_link": "the link where the client sees and pays the invoice",
}


class PlaceholderError(ValueError):
    """Text that cannot be rendered; the message is shown to the firm."""


def _allowed_list() -> str:
    return ", ".join("{" + name + "}" for name in PLACEHOLDERS)


def _parts(text: str):
    try:
        return list(Formatter().parse(text))
    except ValueError as exc:
        raise PlaceholderError(
            "A { or } is not closed. Write {{ or }} for a literal brace, "
            f"or use a placeholder: {_allowed_list()}."
        ) from exc


def placeholders_check(text: str) -> None:
    """Raise PlaceholderError naming every unknown or malformed placeholder."""
    unknown = []
    for _literal, field, spec, conversion in _parts(text):
        if field is None:
            continue
        if field not in PLACEHOLDERS or spec or conversion:
            shown = "{" + field + (f"!{conversion}" if conversion else "")
            shown += (f":{spec}" if spec else "") + "}"
            if shown not in unknown:
                unknown.append(shown)
    if unknown:
        noun = "placeholder" if len(unknown) == 1 else "placeholders"
        raise PlaceholderError(
            f"Unknown {noun} {', '.join(unknown)}. You can use {_allowed_list()}."
        )


def placeholders_render(text: str, values: dict[str, str]) -> str:
    placeholders_check(text)
    out = []
    for literal, field, _spec, _conversion in _parts(text):
        out.append(literal)
        if field is not None:
            out.append(str(values[field]))
    return "".join(out)
