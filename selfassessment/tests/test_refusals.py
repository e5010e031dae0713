"""The self-assessment's refusals that the page does not reach by itself: a standard of
another cycle or funding mode, an over-long self-check, and writes that land between a
save's read and its write (the version check is in the write itself, not only in the lock)."""

import pytest
from django.db import connection
from django.db.models import F

from agencies.models import Agency, FundingMode
from audit_portal.testing import persona_user
from checklist.models import Applicability, Result, Standard
from checklist.tests.helpers import audit_of, standard
from selfassessment import services
from selfassessment.models import SelfAssessmentEntry

from .helpers import fill


def test_a_standard_that_does_not_apply_is_refused(db, staff004):
    audit = audit_of("004")
    Agency.objects.filter(code="004").update(funding_mode=FundingMode.DIRECT)
    Standard.objects.filter(pk=standard("3-7").pk).update(applies_to=Applicability.INDIRECT)
    with pytest.raises(services.SelfAssessmentError, match="不适用于此代办处"):
        fill(audit_of("004"), "3-7", staff004, result=Result.COMPLIANT)
    assert not SelfAssessmentEntry.objects.filter(audit=audit).exists()


def test_a_self_check_over_its_limit_is_refused_and_one_at_it_is_kept(db, staff004):
    audit = audit_of("004")
    with pytest.raises(services.SelfAssessmentError) as refused:
        fill(audit, "1-1", staff004, result=Result.NON_COMPLIANT, points="1",
             explanation="查" * (services.MAX_EXPLANATION + 1))  # fmt: skip
    assert refused.value.field == "explanation"
    assert "5000" in str(refused.value)
    saved = fill(audit, "1-1", staff004, result=Result.NON_COMPLIANT, points="1",
                 explanation="查" * services.MAX_EXPLANATION)  # fmt: skip
    assert len(saved.explanation) == services.MAX_EXPLANATION


def _interfering(table, write):
    """An execute wrapper that runs ``write`` once, just before the save's ``table`` SQL."""
    done = []

    def wrapper(execute, sql, params, many, context):
        if sql.startswith(table) and not done:
            done.append(sql)
            write()
        return execute(sql, params, many, context)

    return wrapper, done


def test_a_write_the_update_did_not_see_is_not_overwritten(seeded_transactional_db):
    staff = persona_user("staff004")
    audit = audit_of("004")
    row = fill(audit, "1-2", staff, result=Result.COMPLIANT)

    def elsewhere():
        SelfAssessmentEntry.objects.filter(pk=row.pk).update(
            explanation="同事在别处的修改", version=F("version") + 1
        )

    wrapper, done = _interfering('UPDATE "selfassessment_selfassessmententry"', elsewhere)
    with connection.execute_wrapper(wrapper), pytest.raises(services.StaleVersion):
        fill(audit, "1-2", staff, result=Result.NON_COMPLIANT, points="2", explanation="迟到")
    assert done
    row.refresh_from_db()
    assert (row.result, row.version) == ("compliant", 1)  # the refused save left nothing
