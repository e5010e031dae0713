"""In a migration of its own: PostgreSQL refuses to alter a table whose rows the same
transaction has just updated (pending foreign-key checks)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("evidence", "0004_files_of_every_kind"),
    ]

    operations = [
        migrations.AlterField(
            model_name="evidencefile",
            name="audit",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="evidence_files",
                to="agencies.audit",
                verbose_name="audit",
            ),
        ),
    ]
