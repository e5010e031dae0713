"""Evidence files belong to an audit, and to a document only when they are one's file: a
rectification item's proof goes through the same pipeline and store without a document."""

import django.db.models.deletion
from django.db import migrations, models


def audit_from_document(apps, schema_editor):
    EvidenceFile = apps.get_model("evidence", "EvidenceFile")
    DocumentRequest = apps.get_model("evidence", "DocumentRequest")
    for request in DocumentRequest.objects.filter(files__isnull=False).distinct().iterator():
        EvidenceFile.objects.filter(request=request).update(audit_id=request.audit_id)


class Migration(migrations.Migration):
    dependencies = [
        ("evidence", "0003_reminder_error"),
    ]

    operations = [
        migrations.AddField(
            model_name="evidencefile",
            name="audit",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="evidence_files",
                to="agencies.audit",
                verbose_name="audit",
            ),
        ),
        migrations.RunPython(audit_from_document, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="evidencefile",
            name="request",
            field=models.ForeignKey(
                blank=True,
                help_text="Empty for the proof of a rectification item.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="files",
                to="evidence.documentrequest",
                verbose_name="document",
            ),
        ),
    ]
