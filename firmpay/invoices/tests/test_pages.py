import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from firmpay.clients.tests.builders import client_build, firm_build, member_build
from firmpay.invoices.models import Invoice, InvoiceStatus, ManualPayment
from firmpay.invoices.services import invoice_send
from firmpay.invoices.tests.builders import invoice_build, line
from firmpay.tenancy.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def firm():
    return firm_build(default_currency="USD", payment_terms_days=30)


@pytest.fixture
def acme(firm):
    return client_build(firm=firm, name="Acme Ltd")


@pytest.fixture
def staff(client, firm):
    client.force_login(member_build(firm=firm, role=Role.STAFF))
    return client


def form_data(client_id, lines, **fields):
    data = {
        "client": client_id,
        "currency": "USD",
        "issue_date": "2026-03-02",
        "due_date": "",
        "notes": "",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "100",
    } | fields
    for index, values in enumerate(lines):
        for key, value in values.items():
            data[f"lines-{index}-{key}"] = value
    return data


def test_staff_creates_an_invoice_with_lines(staff, acme):
    lines = [
        {"description": "Tax return", "quantity": "1", "unit_price": "450.00", "tax_rate": "8.875"},
        {"description": "Bookkeeping", "quantity": "2.5", "unit_price": "80", "tax_rate": ""},
    ]
    response = staff.post(reverse("invoices:create"), form_data(acme.pk, lines))
    invoice = Invoice.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("invoices:detail", args=[invoice.pk])
    assert (invoice.number, invoice.status) == ("INV-0001", InvoiceStatus.DRAFT)
    # 450.00 + 8.875% = 39.9375 → 39.94; 2.5 × 80.00 = 200.00
    assert (invoice.subtotal, invoice.tax_total, invoice.total) == (65000, 3994, 68994)
    assert invoice.due_date == datetime.date(2026, 4, 1)


def test_invalid_invoice_form_shows_field_errors_and_writes_nothing(staff, acme):
    lines = [{"description": "", "quantity": "-1", "unit_price": "1.234", "tax_rate": "150"}]
    response = staff.post(
        reverse("invoices:create"),
        form_data(acme.pk, lines, issue_date="2026-03-02", due_date="2026-03-01"),
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"due_date"}
    [line_errors] = response.context["lines"].errors
    assert set(line_errors) == {"description", "quantity", "unit_price", "tax_rate"}
    assert "USD amounts have 2 decimal places" in response.content.decode()
    assert Invoice.objects.count() == 0


def test_a_line_less_invoice_is_refused(staff, acme):
    response = staff.post(reverse("invoices:create"), form_data(acme.pk, []))
    assert response.status_code == 200
    assert response.context["lines"].non_form_errors() == ["Add at least one line."]
    assert "Add at least one line." in response.content.decode()
    assert Invoice.objects.count() == 0


def test_field_errors_sit_inside_their_field(staff, acme):
    """A <ul> cannot live in a <p>: the browser moved each error out into a grid cell of its
    own, pushing the next field along."""
    response = staff.post(reverse("invoices:create"), form_data("", []))
    html = response.content.decode()
    assert '<p class="field-' not in html
    assert '<div class="field-client">' in html
    assert "Client:" not in html


def test_add_line_shows_one_more_line_and_saves_nothing(staff, acme):
    lines = [{"description": "Audit", "quantity": "1", "unit_price": "10", "tax_rate": ""}]
    response = staff.post(reverse("invoices:create"), form_data(acme.pk, lines, add_line="1"))
    assert response.status_code == 200
    assert len(response.context["lines"].forms) == 2
    assert b"errorlist" not in response.content
    assert Invoice.objects.count() == 0


def test_edit_form_saves_a_draft_and_refuses_sent_invoices(staff, firm, acme):
    invoice = invoice_build(firm=firm, client=acme, lines=[line(unit_amount=100)])
    page = staff.get(reverse("invoices:edit", args=[invoice.pk]))
    assert page.context["lines"].forms[0].initial["unit_price"] == "1.00"
    lines = [{"description": "Audit", "quantity": "1", "unit_price": "20", "tax_rate": ""}]
    data = form_data(acme.pk, lines, **{"lines-INITIAL_FORMS": "1"})
    assert staff.post(reverse("invoices:edit", args=[invoice.pk]), data).status_code == 302
    invoice.refresh_from_db()
    assert invoice.total == 2000
    invoice_send(invoice=invoice)
    response = staff.post(reverse("invoices:edit", args=[invoice.pk]), data)
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.total == 2000


def test_detail_page_sends_and_records_a_full_payment(staff, firm, acme):
    invoice = invoice_build(firm=firm, client=acme, lines=[line(unit_amount=12345)])
    assert staff.post(reverse("invoices:send", args=[invoice.pk])).status_code == 302
    detail = staff.get(reverse("invoices:detail", args=[invoice.pk]))
    assert detail.context["client_link"] and 'data-status="open"' in detail.content.decode()
    form = staff.get(reverse("invoices:payment_record", args=[invoice.pk]))
    assert form.context["form"].initial["amount"] == "123.45"
    response = staff.post(
        reverse("invoices:payment_record", args=[invoice.pk]),
        {"amount": "123.45", "method": "cheque", "received_on": "2026-03-05", "reference": "#88"},
    )
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    detail = staff.get(reverse("invoices:detail", args=[invoice.pk])).content.decode()
    assert 'data-status="paid"' in detail and "#88" in detail


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("123.456", "USD amounts have 2 decimal places"),
        ("200", "is more than the $123.45 due"),
        ("abc", "Enter an amount like 125.50."),
        ("0", "more than zero"),
    ],
)
def test_bad_payment_amounts_show_a_clear_message_and_record_nothing(
    staff, firm, acme, amount, message
):
    invoice = invoice_send(
        invoice=invoice_build(firm=firm, client=acme, lines=[line(unit_amount=12345)])
    )
    response = staff.post(
        reverse("invoices:payment_record", args=[invoice.pk]),
        {"amount": amount, "method": "cash", "received_on": "2026-03-05"},
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["amount"])
    assert ManualPayment.objects.count() == 0


def test_yen_payments_are_whole_yen(staff):
    firm = firm_build(default_currency="JPY")
    staff.force_login(member_build(firm=firm))
    yen_client = client_build(firm=firm, currency="JPY")
    invoice = invoice_send(
        invoice=invoice_build(firm=firm, client=yen_client, lines=[line(unit_amount=5000)])
    )
    response = staff.post(
        reverse("invoices:payment_record", args=[invoice.pk]),
        {"amount": "10.5", "method": "cash", "received_on": "2026-03-05"},
    )
    assert "JPY amounts have whole units" in " ".join(response.context["form"].errors["amount"])


def test_payment_form_errors_sit_inside_their_field(staff, firm, acme):
    invoice = invoice_send(invoice=invoice_build(firm=firm, client=acme, lines=[line()]))
    response = staff.post(
        reverse("invoices:payment_record", args=[invoice.pk]),
        {"amount": "", "method": "cash", "received_on": "2026-03-05"},
    )
    html = response.content.decode()
    field = html.split('<div class="field field-amount">')[1].split("</div>")[0]
    assert 'class="errorlist' in field
    assert "<p><label" not in html
    assert "(USD):</label>" not in html and "Received on:" not in html


def test_the_invoice_page_shows_times_in_the_firms_timezone(client):
    firm = firm_build(timezone="America/New_York")
    client.force_login(member_build(firm=firm))
    invoice = invoice_send(invoice=invoice_build(firm=firm, client=client_build(firm=firm)))
    sent = datetime.datetime(2026, 11, 25, 23, 57, tzinfo=datetime.UTC)
    Invoice.objects.filter(pk=invoice.pk).update(sent_at=sent, link_revoked_at=sent)
    html = client.get(reverse("invoices:detail", args=[invoice.pk])).content.decode()
    assert "<dd>25 November 2026, 18:57 EST</dd>" in html
    assert "Last revoked 25 November 2026, 18:57 EST." in html
    assert "UTC" not in html


def test_list_filters_by_status_client_overdue_and_search(staff, firm, acme):
    bright = client_build(firm=firm, name="Bright Co")
    draft = invoice_build(firm=firm, client=acme)
    late = invoice_send(
        invoice=invoice_build(firm=firm, client=bright, issue_date=datetime.date(2020, 1, 1))
    )
    current = invoice_send(invoice=invoice_build(firm=firm, client=acme))

    def listed(**params):
        response = staff.get(reverse("invoices:list"), params)
        return [invoice.pk for invoice in response.context["page"].invoices]

    assert listed() == [current.pk, late.pk, draft.pk]
    assert listed(status="draft") == [draft.pk]
    assert listed(status="overdue") == [late.pk]
    assert listed(client=acme.pk) == [current.pk, draft.pk]
    assert listed(q="bright") == [late.pk]
    assert listed(q=late.number) == [late.pk]
    # Another firm's client is no filter here: the firm's invoices, none of theirs.
    other = firm_build()
    stranger = client_build(firm=other)
    invoice_build(firm=other, client=stranger)
    assert listed(client=stranger.pk) == [current.pk, late.pk, draft.pk]


def test_list_pages_by_fifty_without_counting(staff, firm, acme):
    for _ in range(55):
        invoice_build(firm=firm, client=acme)
    first = staff.get(reverse("invoices:list")).context["page"]
    assert len(first.invoices) == 50 and first.newer_than is None
    second = staff.get(reverse("invoices:list"), {"before": first.older_than}).context["page"]
    assert len(second.invoices) == 5 and second.older_than is None
    back = staff.get(reverse("invoices:list"), {"after": second.newer_than}).context["page"]
    assert [i.pk for i in back.invoices] == [i.pk for i in first.invoices]


@pytest.fixture
def frozen_clock():
    """The page's short-lived caches (the banner, presence) expire by the clock: on a slow
    machine an expiry between two counts must not read as a count that grows."""
    with time_machine.travel(datetime.datetime.now(datetime.UTC), tick=False):
        yield


def test_list_query_count_does_not_grow_with_the_number_of_invoices(
    staff, firm, acme, frozen_clock
):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert staff.get(reverse("invoices:list"), {"status": "draft"}).status_code == 200
        counts = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]
        assert not [sql for sql in counts if "invoices_invoice" in sql]
        return len(captured.captured_queries)

    invoice_build(firm=firm, client=acme)
    queries()  # warm: other apps make once-per-user rows on a first request
    few = queries()
    for _ in range(30):
        invoice_build(firm=firm, client=client_build(firm=firm))
    assert queries() == few


def test_every_list_view_costs_the_same_queries_at_any_size(staff, firm, acme, frozen_clock):
    """First page, filters, a client, number and name searches, one that matches nothing,
    a short one and the next page: the query count does not grow with the invoices."""
    views = [
        {},
        {"status": "open"},
        {"status": "overdue"},
        {"client": acme.pk},
        {"q": "INV-0001"},
        {"q": "acme"},
        {"q": "nobody by this name"},
        {"q": "1"},
        {"q": "x"},
        {"before": 10**9},
    ]

    def counts():
        found = []
        for params in views:
            with CaptureQueriesContext(connection) as captured:
                assert staff.get(reverse("invoices:list"), params).status_code == 200
            found.append(len(captured.captured_queries))
        return found

    invoice_send(invoice=invoice_build(firm=firm, client=acme))
    counts()  # warm: once-per-user rows
    few = counts()
    for _ in range(60):
        invoice_send(invoice=invoice_build(firm=firm, client=client_build(firm=firm)))
    assert counts() == few


def test_another_firms_invoice_pages_are_404_and_change_nothing(staff):
    other = firm_build()
    theirs = invoice_build(firm=other, client=client_build(firm=other))
    for name in ("detail", "edit", "payment_record"):
        assert staff.get(reverse(f"invoices:{name}", args=[theirs.pk])).status_code == 404
    for name in ("send", "void", "link_revoke"):
        assert staff.post(reverse(f"invoices:{name}", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == InvoiceStatus.DRAFT and theirs.link_revoked_at is None


def test_the_invoice_form_offers_only_the_firms_clients(staff, firm, acme):
    other = firm_build()
    stranger = client_build(firm=other)
    response = staff.post(
        reverse("invoices:create"),
        form_data(stranger.pk, [{"description": "x", "quantity": "1", "unit_price": "1"}]),
    )
    assert "client" in response.context["form"].errors
    assert Invoice.objects.count() == 0


def test_list_rows_show_number_link_client_dates_status_and_amounts(staff, firm, acme):
    invoice = invoice_send(
        invoice=invoice_build(
            firm=firm,
            client=acme,
            issue_date=datetime.date(2026, 3, 7),
            due_date=datetime.date(2026, 4, 6),
        )
    )
    html = staff.get(reverse("invoices:list")).content.decode()
    url = reverse("invoices:detail", args=[invoice.pk])
    assert f'<td><a href="{url}">{invoice.number}</a></td>' in html
    assert f"<td>{acme.name}</td>" in html
    assert "<td>7 Mar 2026</td>" in html and "<td>6 Apr 2026</td>" in html
    assert 'data-status="open">Open</span>' in html or 'data-status="overdue"' in html
    assert html.count('<td class="num">$100.00</td>') == 2  # total and amount due
