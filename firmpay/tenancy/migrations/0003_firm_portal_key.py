import secrets

from django.db import migrations, models

import firmpay.core.random_key


def keys_fill(apps, schema_editor):
    Firm = apps.get_model("tenancy", "Firm")
    for firm in Firm.objects.filter(portal_key__isnull=True).only("pk"):
        firm.portal_key = secrets.token_hex(16)
        firm.save(update_fields=["portal_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("tenancy", "0002_invitation_pending_unique_plan_change"),
    ]

    operations = [
        migrations.AddField(
            model_name="firm",
            name="portal_key",
            field=models.CharField(max_length=32, null=True, editable=False),
        ),
        migrations.RunPython(keys_fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="firm",
            name="portal_key",
            field=models.CharField(
                db_default=firmpay.core.random_key.RandomKey(),
                default=firmpay.core.random_key.random_key,
                editable=False,
                max_length=32,
                unique=True,
            ),
        ),
    ]
