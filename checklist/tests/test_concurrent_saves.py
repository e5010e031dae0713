"""Two saves of one standard from the same version: exactly one wins, on real connections.

Each save runs in its own thread, so on its own database connection, both released at the
same moment; the loser gets StaleVersion with the winner's assessment, and nothing it typed
is stored.
"""

import threading

import pytest
from django.db import connection, connections
from django.db.models import F

from audit_portal.testing import persona_user
from checklist import services
from checklist.models import Assessment, AssessmentChange
from checklist.tests.helpers import audit_of, save


def race(audit, code, by, version, findings):
    """Save `findings` (one per thread) from `version` at once; returns the outcomes."""
    start = threading.Barrier(len(findings))
    outcomes = {}

    def one(finding):
        try:
            start.wait()
            save(audit, code, by, version=version, result="non_compliant", points="2",
                 finding=finding, rectification="整改")  # fmt: skip
            outcomes[finding] = "saved"
        except services.StaleVersion:
            outcomes[finding] = "stale"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one, args=(finding,)) for finding in findings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.parametrize("first_save", [True, False], ids=["first save", "update"])
def test_two_saves_from_the_same_version_exactly_one_wins(seeded_transactional_db, first_save):
    auditor = persona_user("manager")
    audit = audit_of("004")
    version = 0
    if not first_save:
        version = save(audit, "1-2", auditor, result="compliant").version
    outcomes = race(audit, "1-2", auditor, version, ["甲的发现", "乙的发现"])
    assert sorted(outcomes.values()) == ["saved", "stale"]
    winner = next(finding for finding, outcome in outcomes.items() if outcome == "saved")
    row = Assessment.objects.get(audit=audit, standard__number=2, standard__category__position=1)
    assert (row.finding, row.version) == (winner, version + 1)
    assert AssessmentChange.objects.filter(assessment=row, version=version + 1).count() == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs row-level concurrency: SQLite's IMMEDIATE transactions let no second writer "
    "in while the save runs (the PostgreSQL run of make test covers it)",
)
def test_a_writer_that_skips_the_audit_lock_is_still_not_overwritten(seeded_transactional_db):
    """The version check is in the UPDATE itself, not only in the audit lock: a change
    committed by another connection between the save's read and its write wins over it."""
    auditor = persona_user("manager")
    audit = audit_of("004")
    row = save(audit, "1-2", auditor, result="compliant")
    interfered = []

    def other_writer():
        Assessment.objects.filter(pk=row.pk).update(
            finding="管理员在别处的修改", version=F("version") + 1
        )
        connections.close_all()

    def before_the_update(execute, sql, params, many, context):
        if sql.startswith('UPDATE "checklist_assessment"') and not interfered:
            interfered.append(sql)
            thread = threading.Thread(target=other_writer)
            thread.start()
            thread.join()
        return execute(sql, params, many, context)

    with connection.execute_wrapper(before_the_update), pytest.raises(services.StaleVersion):
        save(audit, "1-2", auditor, version=1, result="non_compliant", points="2",
             finding="迟到的保存", rectification="整改")  # fmt: skip
    assert interfered
    row.refresh_from_db()
    assert (row.finding, row.version) == ("管理员在别处的修改", 2)
