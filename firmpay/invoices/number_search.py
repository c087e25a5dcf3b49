"""The SQLite search index of invoice numbers (FTS5 `invoices_invoice_number_search`,
migration 0006) when invoices are inserted in bulk.

Its AFTER INSERT trigger costs ~75 µs of CPU per row (FTS5 flushes its pending terms at each
trigger's statement savepoint), more than the rest of the invoice's insert: 7 s for the
recurring sweep's 100,000 invoices. `number_search_bulk()` takes the trigger out for the
duration of one insert, in the inserting transaction (SQLite's DDL is transactional and the
write lock is held, so no other writer inserts meanwhile, and readers see either the old or
the new state), then indexes the new rows with one INSERT ... SELECT and puts the same
trigger back. Elsewhere (PostgreSQL) it does nothing.
"""

import contextlib

from django.db import connection, transaction

TRIGGER = "invoices_invoice_number_search_ai"


@contextlib.contextmanager
def number_search_bulk(ids: list[int]):
    """Wrap the bulk insert of invoices; `ids` (filled by the caller inside the block) are
    indexed at its end."""
    if connection.vendor != "sqlite":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = %s", [TRIGGER]
        )
        found = cursor.fetchone()
        if found is None:
            yield
            return
        cursor.execute(f"DROP TRIGGER {TRIGGER}")
        yield
        if ids:
            cursor.execute(
                "INSERT INTO invoices_invoice_number_search (rowid, number) "
                "SELECT id, number FROM invoices_invoice WHERE id BETWEEN %s AND %s",
                [min(ids), max(ids)],
            )
        cursor.execute(found[0])
