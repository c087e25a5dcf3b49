import threading

import pytest
from django.core.management import call_command
from django.db import IntegrityError, close_old_connections, connection, connections, transaction

from firmpay.clients.tests.builders import client_build, firm_build
from firmpay.invoices.models import Invoice
from firmpay.invoices.tests.builders import invoice_build


@pytest.mark.django_db
def test_invoices_are_numbered_in_order_per_firm():
    firm, other = firm_build(), firm_build()
    client, other_client = client_build(firm=firm), client_build(firm=other)
    numbers = [invoice_build(firm=firm, client=client).number for _ in range(3)]
    assert numbers == ["INV-0001", "INV-0002", "INV-0003"]
    assert invoice_build(firm=other, client=other_client).number == "INV-0001"


@pytest.mark.django_db
def test_the_database_refuses_a_duplicate_number_in_a_firm():
    firm = firm_build()
    invoice = invoice_build(firm=firm, client=client_build(firm=firm))
    duplicate = Invoice.objects.get(pk=invoice.pk)
    duplicate.pk = None
    duplicate.link_token = "another-token"
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


@pytest.fixture
def database_as_deployed(transactional_db, tmp_path):
    """The race runs against the database as deployed. PostgreSQL's test database already is;
    pytest-django's SQLite test database is in-memory with a shared cache, whose table locks
    fail at once instead of waiting, so on SQLite the race gets a migrated file of its own
    with the deployed settings (WAL, IMMEDIATE transactions, busy timeout)."""
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    original_settings, original_connection = connections.settings["default"], connections["default"]
    file_settings = {**original_settings, "NAME": str(tmp_path / "race.sqlite3")}
    connections.settings["default"] = file_settings
    connections["default"] = original_connection.__class__(file_settings, "default")
    try:
        call_command("migrate", verbosity=0)
        yield
    finally:
        connections["default"].close()
        connections.settings["default"] = original_settings
        connections["default"] = original_connection


@pytest.mark.django_db(transaction=True)
def test_concurrent_invoice_creations_get_distinct_numbers(database_as_deployed):
    """Threads, each with its own database connection, create invoices at the same moment."""
    firm = firm_build()
    client = client_build(firm=firm)
    workers, per_worker = 4, 5
    start = threading.Barrier(workers)
    numbers, errors = [], []

    def create_invoices():
        try:
            start.wait()
            for _ in range(per_worker):
                numbers.append(invoice_build(firm=firm, client=client).number)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=create_invoices) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    close_old_connections()

    assert errors == []
    expected = {f"INV-{n:04d}" for n in range(1, workers * per_worker + 1)}
    assert sorted(numbers) == sorted(expected)
    assert set(Invoice.objects.filter(firm=firm).values_list("number", flat=True)) == expected
