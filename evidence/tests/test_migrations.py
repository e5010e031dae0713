"""Migrations that move data, run over rows written by the schema before them."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("evidence", "0003_reminder_error")]


@pytest.fixture
def executor(seeded_transactional_db):
    executor = MigrationExecutor(connection)
    yield executor
    executor = MigrationExecutor(connection)  # the graph as it is now
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_files_uploaded_before_proof_files_existed_keep_their_audit(executor):
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    audit = old.get_model("agencies", "Audit").objects.get(cycle__year=2023, agency__code="007")
    document = old.get_model("evidence", "RequiredDocument").objects.get(
        cycle=audit.cycle, number=2
    )
    request = old.get_model("evidence", "DocumentRequest").objects.create(
        audit=audit, document=document, status="submitted"
    )
    user = old.get_model("accounts", "User").objects.get(username="alice")
    file = old.get_model("evidence", "EvidenceFile").objects.create(
        request=request,
        key="2023/007/k",
        original_name="a.pdf",
        kind="pdf",
        size=1,
        sha256="0" * 64,
        uploaded_by=user,
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from evidence.models import EvidenceFile

    assert EvidenceFile.objects.get(pk=file.pk).audit_id == audit.pk
