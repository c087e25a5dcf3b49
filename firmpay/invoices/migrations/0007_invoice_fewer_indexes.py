"""Fewer indexes on invoices: each one costs every insert (the recurring sweep inserts
100,000 invoices at once, and spent half its time maintaining eleven indexes on SQLite,
fourteen on PostgreSQL).

- The firm key's own index: every other index starts with the firm.
- The client key's own index and (firm, client, -id): one index (client, -id) does both
  (a client belongs to one firm).
- The author's index only where there is one (partial): invoices issued by the sweep have
  none, and deleting a user looks up `created_by_id = …`, which the partial index serves.
- PostgreSQL: the `varchar_pattern_ops` copy Django adds for the unique link token (for
  LIKE, which nothing runs on a token; lookups use the unique index).

The keys' indexes are dropped with plain SQL, the model state changed apart: on SQLite an
AlterField rebuilds the table, and the rebuild would lose the number search triggers
(migration 0006).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

KEY_INDEXES = {  # Django's names for the keys' indexes (the same on both databases)
    "invoices_invoice_firm_id_7383bcc7": "firm_id",
    "invoices_invoice_client_id_b83ca539": "client_id",
    "invoices_invoice_created_by_id_9b878bcd": "created_by_id",
}
LINK_TOKEN_LIKE = "invoices_invoice_link_token_91a71a24_like"


def _link_token_like_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {LINK_TOKEN_LIKE}")


def _link_token_like_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {LINK_TOKEN_LIKE} "
            "ON invoices_invoice (link_token varchar_pattern_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0001_initial"),
        ("invoices", "0006_invoice_number_search"),
        ("tenancy", "0002_invitation_pending_unique_plan_change"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="invoice",
            index=models.Index(fields=["client", "-id"], name="invoice_client_recent_idx"),
        ),
        migrations.AddIndex(
            model_name="invoice",
            index=models.Index(
                condition=models.Q(("created_by__isnull", False)),
                fields=["created_by"],
                name="invoice_created_by_idx",
            ),
        ),
        migrations.RemoveIndex(model_name="invoice", name="invoice_firm_client_idx"),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {name}",
                    f"CREATE INDEX {name} ON invoices_invoice ({column})",
                )
                for name, column in KEY_INDEXES.items()
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="invoice",
                    name="client",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.RESTRICT,
                        related_name="invoices",
                        to="clients.client",
                    ),
                ),
                migrations.AlterField(
                    model_name="invoice",
                    name="created_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="invoice",
                    name="firm",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tenancy.firm",
                    ),
                ),
            ],
        ),
        migrations.RunPython(_link_token_like_drop, _link_token_like_create),
    ]
