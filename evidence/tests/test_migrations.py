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


def test_the_seed_documents_of_cycles_already_set_up_get_their_short_names(executor):
    from agencies.models import Cycle

    cycle = Cycle.objects.get(year=2023)
    Cycle.objects.create(year=2024, title="2024年度稽核", previous=cycle)
    before = [("evidence", "0006_required_document_previous_report")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    next_year = old.get_model("agencies", "Cycle").objects.get(year=2024)
    documents = old.get_model("evidence", "RequiredDocument").objects
    documents.create(cycle=next_year, number=4, title="2023年总账、明细账及电子账套")
    documents.create(cycle=next_year, number=5, title="另行要求的资料")  # not the seed's 5

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    from evidence.models import RequiredDocument

    names = dict(
        RequiredDocument.objects.filter(cycle__year=2023).values_list("number", "short_name")
    )
    assert names == {
        1: "管理制度", 2: "前次报告", 3: "财务报表", 4: "账簿凭证", 5: "往来账",
        6: "财产盘点", 7: "业务报表", 8: "合同协议", 9: "档案", 10: "用户名备案",
    }  # fmt: skip
    later = dict(
        RequiredDocument.objects.filter(cycle__year=2024).values_list("number", "short_name")
    )
    assert later == {4: "账簿凭证", 5: ""}
