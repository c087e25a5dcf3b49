"""The invoice list's table rows and filter options, rendered without a template loop: what
the user reads (escaped text, dates, amounts, status badges) is the same as before."""

import datetime

import pytest

from firmpay.clients.selectors import client_choices
from firmpay.clients.tests.builders import client_build, firm_build
from firmpay.core.money import format_amount
from firmpay.invoices.selectors import InvoiceRow
from firmpay.invoices.templatetags.invoices import escape_many, invoice_rows, options


def _row(**changes) -> InvoiceRow:
    values = {
        "id": 7, "number": "INV-0007", "client_id": 3, "client__name": "Acme <Ltd> & \"Co\"",
        "currency": "USD", "issue_date": datetime.date(2026, 3, 7),
        "due_date": datetime.date(2026, 4, 6), "status": "open", "total": 123456,
        "amount_due": 100000,
    } | changes  # fmt: skip
    row = InvoiceRow(tuple(values[column] for column in InvoiceRow.COLUMNS))
    row.display_status = values["status"]
    return row


def test_escape_many_escapes_each_text_even_one_holding_the_separator():
    assert escape_many(["<b>", "a & b", ""]) == ["&lt;b&gt;", "a &amp; b", ""]
    assert escape_many(["x\x00<y>", "'"]) == ["x\x00&lt;y&gt;", "&#x27;"]
    assert escape_many([]) == []


def test_rows_show_escaped_names_dates_amounts_and_badges():
    paid = _row(id=8, number="INV-0008", status="paid", amount_due=0, currency="JPY", total=1500)
    overdue = _row(id=9, number="INV-<9>")
    overdue.display_status = "overdue"
    html = str(invoice_rows([_row(), paid, overdue]))
    assert '<a href="/invoices/7/">INV-0007</a>' in html
    assert "Acme &lt;Ltd&gt; &amp; &quot;Co&quot;" in html
    assert "<td>7 Mar 2026</td>" in html and "<td>6 Apr 2026</td>" in html
    assert '<td class="num">$1,234.56</td>' in html and '<td class="num">$1,000.00</td>' in html
    assert '<td class="num">¥1,500</td>\n      <td class="num"></td>' in html  # paid: no due
    assert '<span class="badge paid" data-status="paid">Paid</span>' in html
    assert '<span class="badge overdue" data-status="overdue">Overdue</span>' in html
    assert "INV-&lt;9&gt;" in html and "<9>" not in html


def test_options_escape_labels_and_mark_the_selected_one():
    html = str(options([(1, "A & B"), (22, "<script>")], 22))
    assert html == (
        '<option value="1">A &amp; B</option><option value="22" selected>&lt;script&gt;</option>'
    )
    assert str(options([], None)) == ""


@pytest.mark.django_db
def test_client_choices_are_the_firms_clients_by_name_archived_included():
    firm, other = firm_build(), firm_build()
    zed = client_build(firm=firm, name="Zed")
    able = client_build(firm=firm, name="Able")
    client_build(firm=other, name="Elsewhere")
    zed.archived_at = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    zed.save()
    assert client_choices(firm=firm) == [(able.pk, "Able"), (zed.pk, "Zed")]


def test_format_amount_of_whole_minor_units_matches_the_decimal_rendering():
    assert format_amount(0, "USD") == "$0.00"
    assert format_amount(-150, "usd") == "-$1.50"
    assert format_amount(123456789012, "EUR") == "€1,234,567,890.12"
    assert format_amount(1500, "JPY") == "¥1,500"
    assert format_amount(1234, "KWD") == "KWD 1.234"
    assert format_amount(5, "KWD") == "KWD 0.005"
