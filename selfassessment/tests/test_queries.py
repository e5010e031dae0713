"""The self-assessment page, and the scoring page beside a submitted one, take as many
queries for 100 standards as for 29."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from checklist.models import Category, Result, Standard
from checklist.tests.helpers import audit_of
from evidence.models import RequiredDocument
from evidence.services import store_bytes
from evidence.tests import samples
from selfassessment import services
from selfassessment.models import SelfAssessment

from .helpers import fill

SELF = "/cycles/2023/agencies/004/self-assessment/"
SCORING = "/cycles/2023/agencies/004/scoring/"


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_queries_do_not_grow_with_the_number_of_standards(client_for, cycle, staff004, assigned):
    audit = audit_of("004")
    audit.auditors.add(assigned)
    file = store_bytes(
        audit=audit,
        document=RequiredDocument.objects.get(cycle=cycle, number=1),
        name="记录.pdf",
        content=samples.PDF,
        by=staff004,
    )
    for code in ("1-1", "1-2"):
        fill(
            audit,
            code,
            staff004,
            result=Result.NON_COMPLIANT,
            points="3",
            explanation="x",
            file_ids=[file.pk],
        )
    SelfAssessment.objects.filter(audit=audit).update(
        status="submitted", submitted_at="2023-05-01T00:00Z"
    )
    staff, auditor = client_for("staff004"), client_for("assigned")
    before = (_queries(staff, SELF), _queries(auditor, SCORING))

    extra = Category.objects.create(cycle=cycle, position=4, name="附加检查")
    Standard.objects.bulk_create(
        Standard(category=extra, number=n, text=f"附加标准 {n}", max_points=Decimal(5))
        for n in range(1, 72)
    )
    SelfAssessment.objects.filter(audit=audit).update(status="draft")
    for number in (1, 2, 3):
        fill(
            audit,
            f"4-{number}",
            staff004,
            result=Result.NON_COMPLIANT,
            points="1",
            explanation="y",
            file_ids=[file.pk],
        )
    SelfAssessment.objects.filter(audit=audit).update(status="submitted")
    after = (_queries(staff, SELF), _queries(auditor, SCORING))

    assert staff.get(SELF).content.decode().count('class="assessment-item"') == 100
    assert auditor.get(SCORING).content.decode().count('data-testid="self-box-') == 5
    assert after == before
    assert services.state_of(audit).is_submitted
