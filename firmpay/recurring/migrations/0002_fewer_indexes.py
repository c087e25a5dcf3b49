"""Two indexes fewer for the sweep to maintain: (firm, -id) on schedules repeated the firm
key's index (which the sweep's walk in firm order uses; the list's newest-first order is a
sort of one firm's schedules at most), and the occurrences' schedule key had an index of
its own besides the unique (schedule, occurrence)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("recurring", "0001_schedules"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="schedule",
            name="schedule_firm_recent_idx",
        ),
        migrations.AlterField(
            model_name="scheduleissue",
            name="schedule",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="issues",
                to="recurring.schedule",
            ),
        ),
    ]
