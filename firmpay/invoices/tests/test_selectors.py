import datetime

import pytest
import time_machine
from django.http import Http404

from firmpay.clients.tests.builders import client_build, firm_build
from firmpay.invoices.models import Invoice
from firmpay.invoices.selectors import invoice_get, invoice_list
from firmpay.invoices.services import invoice_send
from firmpay.invoices.tests.builders import invoice_build

pytestmark = pytest.mark.django_db


def test_invoice_list_and_get_stay_inside_the_firm():
    firm, other = firm_build(), firm_build()
    mine = invoice_build(firm=firm, client=client_build(firm=firm, name="Same"))
    theirs = invoice_build(firm=other, client=client_build(firm=other, name="Same"))
    assert list(invoice_list(firm=firm)) == [mine]
    assert list(invoice_list(firm=firm, search="Same")) == [mine]
    assert list(invoice_list(firm=firm, search=theirs.number)) == [mine]  # same number, own firm
    assert invoice_get(firm=firm, invoice_id=mine.pk) == mine
    with pytest.raises(Http404):
        invoice_get(firm=firm, invoice_id=theirs.pk)


def test_overdue_follows_the_firms_calendar():
    firm = firm_build(timezone="America/New_York")
    client = client_build(firm=firm)
    invoice = invoice_send(
        invoice=invoice_build(
            firm=firm,
            client=client,
            issue_date=datetime.date(2026, 3, 1),
            due_date=datetime.date(2026, 3, 10),
        )
    )
    # 02:00 UTC on 11 March is still 10 March in New York: due today, not overdue.
    with time_machine.travel(datetime.datetime(2026, 3, 11, 2, 0, tzinfo=datetime.UTC)):
        assert list(invoice_list(firm=firm, overdue=True)) == []
    with time_machine.travel(datetime.datetime(2026, 3, 11, 5, 0, tzinfo=datetime.UTC)):
        assert list(invoice_list(firm=firm, overdue=True)) == [invoice]


def test_search_finds_part_of_a_number_or_a_client_name_through_the_index():
    firm = firm_build()
    acme, bright = client_build(firm=firm, name="Acme Ltd"), client_build(firm=firm, name="Bright")
    first = invoice_build(firm=firm, client=acme)
    second = invoice_build(firm=firm, client=bright)
    number_part = second.number[-3:]  # e.g. "002" of INV-0002
    assert list(invoice_list(firm=firm, search=number_part)) == [second]
    assert list(invoice_list(firm=firm, search="inv-")) == [second, first]
    assert list(invoice_list(firm=firm, search="cme l")) == [first]
    assert list(invoice_list(firm=firm, search='nobody "by" this name')) == []


def test_search_follows_a_renumbered_invoice_and_a_deleted_one():
    firm = firm_build()
    client = client_build(firm=firm)
    invoice = invoice_build(firm=firm, client=client)
    Invoice.objects.filter(pk=invoice.pk).update(number="XYZ-7777")
    assert list(invoice_list(firm=firm, search="z-777")) == [invoice]
    assert list(invoice_list(firm=firm, search=invoice.number[-4:])) == []
    Invoice.objects.filter(pk=invoice.pk).delete()
    assert list(invoice_list(firm=firm, search="z-777")) == []


def test_search_by_number_part_stays_inside_the_firm():
    firm, other = firm_build(), firm_build()
    invoice_build(firm=other, client=client_build(firm=other))
    mine = invoice_build(firm=firm, client=client_build(firm=firm))
    assert list(invoice_list(firm=firm, search=mine.number[-4:])) == [mine]


def test_a_one_or_two_character_search_finds_numbers_and_names_without_a_scan():
    firm = firm_build()
    nora, xavier = client_build(firm=firm, name="Nora"), client_build(firm=firm, name="Xavier")
    noras = invoice_build(firm=firm, client=nora)
    xaviers = invoice_build(firm=firm, client=xavier)
    assert list(invoice_list(firm=firm, search="no")) == [noras]
    assert list(invoice_list(firm=firm, search="X")) == [xaviers]
    assert list(invoice_list(firm=firm, search="zz")) == []
    # Pieces of a number still find it: "2" of INV-0002, "V-", "In".
    assert list(invoice_list(firm=firm, search=xaviers.number[-1])) == [xaviers]
    assert list(invoice_list(firm=firm, search="V-")) == [xaviers, noras]
    assert list(invoice_list(firm=firm, search="In")) == [xaviers, noras]


def test_a_short_search_no_number_can_contain_reads_no_invoice_rows_by_number():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    firm = firm_build()
    invoice_build(firm=firm, client=client_build(firm=firm, name="Acme"))
    with CaptureQueriesContext(connection) as captured:
        assert list(invoice_list(firm=firm, search="q")) == []
    assert not [q for q in captured.captured_queries if "invoices_invoice" in q["sql"]]
