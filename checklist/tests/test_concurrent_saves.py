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


def test_a_write_the_save_did_not_see_is_not_overwritten(seeded_transactional_db):
    """The version check is in the UPDATE itself, not only in the audit lock: a change
    that lands between the save's read and its write makes the save fail. The change is
    made just before the save's UPDATE runs (on the save's own connection, so the test
    needs no second writer, which SQLite's IMMEDIATE transactions would not let in)."""
    auditor = persona_user("manager")
    audit = audit_of("004")
    row = save(audit, "1-2", auditor, result="compliant")
    interfered = []

    def before_the_update(execute, sql, params, many, context):
        if sql.startswith('UPDATE "checklist_assessment"') and not interfered:
            interfered.append(sql)
            Assessment.objects.filter(pk=row.pk).update(
                finding="管理员在别处的修改", version=F("version") + 1
            )
        return execute(sql, params, many, context)

    with connection.execute_wrapper(before_the_update), pytest.raises(services.StaleVersion):
        save(audit, "1-2", auditor, version=1, result="non_compliant", points="2",
             finding="迟到的保存", rectification="整改")  # fmt: skip
    assert interfered
    # the refused save rolls back its whole transaction, the interloper's write with it:
    # what stays is the row as it was, with nothing of the late save
    row.refresh_from_db()
    assert (row.finding, row.version) == ("", 1)
    assert not AssessmentChange.objects.filter(assessment=row, version=2).exists()
