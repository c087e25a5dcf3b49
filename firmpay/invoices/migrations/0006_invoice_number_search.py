"""Search by invoice number through an index instead of a scan of the firm's invoices.

SQLite: an FTS5 table with the trigram tokenizer over invoice numbers (rowid = invoice
id), kept in step by triggers. PostgreSQL: pg_trgm GIN indexes on UPPER(number) (what
`icontains` compares) and on clients' UPPER(name).
"""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE invoices_invoice_number_search USING fts5(number, tokenize='trigram')",
    "INSERT INTO invoices_invoice_number_search(rowid, number) SELECT id, number FROM invoices_invoice",
    """CREATE TRIGGER invoices_invoice_number_search_ai AFTER INSERT ON invoices_invoice BEGIN
        INSERT INTO invoices_invoice_number_search(rowid, number) VALUES (new.id, new.number);
    END""",
    """CREATE TRIGGER invoices_invoice_number_search_au AFTER UPDATE OF number ON invoices_invoice
    BEGIN
        UPDATE invoices_invoice_number_search SET number = new.number WHERE rowid = old.id;
    END""",
    """CREATE TRIGGER invoices_invoice_number_search_ad AFTER DELETE ON invoices_invoice BEGIN
        DELETE FROM invoices_invoice_number_search WHERE rowid = old.id;
    END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS invoices_invoice_number_search_ai",
    "DROP TRIGGER IF EXISTS invoices_invoice_number_search_au",
    "DROP TRIGGER IF EXISTS invoices_invoice_number_search_ad",
    "DROP TABLE IF EXISTS invoices_invoice_number_search",
]
POSTGRESQL_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS invoice_number_trgm_idx ON invoices_invoice "
    "USING gin ((UPPER(number::text)) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS client_name_trgm_idx ON clients_client "
    "USING gin ((UPPER(name::text)) gin_trgm_ops)",
]
POSTGRESQL_BACKWARD = [
    "DROP INDEX IF EXISTS invoice_number_trgm_idx",
    "DROP INDEX IF EXISTS client_name_trgm_idx",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0001_initial"),
        ("invoices", "0005_invoice_emails"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRESQL_BACKWARD}),
        )
    ]
