"""Ten cycles of history slow no page: the overview, the agency page and the scoring page
ask the database as often with ten previous cycles as with one."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.models import Audit, AuditStatus
from checklist.tests.helpers import audit_of, standard
from rectification.models import RectificationItem

from .helpers import next_cycle

PAGES = [
    ("manager", "/cycles/{year}/"),
    ("auditor", "/cycles/{year}/agencies/004/"),
    ("auditor", "/cycles/{year}/agencies/004/scoring/"),
    ("staff004", "/cycles/{year}/agencies/004/"),
]


def _as_finalized(year: int) -> None:
    """004 of ``year`` as a finalized audit leaves it: a total, a grade, an open item."""
    audit = audit_of("004", year)
    Audit.objects.filter(pk=audit.pk).update(
        status=AuditStatus.FINALIZED,
        total_score=80 + year % 10,
        grade="good",
        finalized_at=timezone.now(),
        category_scores=[
            {"position": 1, "name": "组织机构管理", "score": "80.0"},
            {"position": 2, "name": "业务管理", "score": "85.0"},
            {"position": 3, "name": "财务管理", "score": "90.0"},
        ],
    )
    for code in ("1-2", "3-5"):
        RectificationItem.objects.create(
            audit=audit,
            standard=standard(code, year),
            result="non_compliant",
            finding=f"{year} 年 {code} 的问题",
            requirement="整改",
            deadline=timezone.localdate(),
        )


def _counts(client_for, year: int) -> list[int]:
    counts = []
    for persona, path in PAGES:
        client = client_for(persona)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path.format(year=year))
        assert response.status_code == 200, path
        counts.append(len(queries))
    return counts


def test_ten_previous_cycles_cost_no_more_queries_than_one(client_for, manager, auditor):
    _as_finalized(2023)
    next_cycle(manager)
    audit_of("004", 2024).auditors.add(auditor)
    with_one = _counts(client_for, 2024)
    for year in range(2024, 2033):
        _as_finalized(year)
        next_cycle(manager)
        audit_of("004", year + 1).auditors.add(auditor)
    page = client_for("auditor").get("/cycles/2033/agencies/004/").content.decode()
    assert page.count('data-testid="history-20') == 10  # ten cycles of results shown
    assert _counts(client_for, 2033) == with_one
