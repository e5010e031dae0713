"""A province-sized cycle for `make bench` (issue 16): BENCH_AGENCIES=5000 grows the 2023
roster to that many agencies (four-digit codes beside the seed's three-digit ones), each
audit scored with a total, a grade and category scores, 10 document requests each in mixed
statuses, each assigned to one of 20 auditors of its own (the benchmark's auditor keeps
the seed's 50, as an auditor of a large office would: the workbench reads their own), and a previous cycle's finalized totals so that the
overview's 上年总分 and 变化 columns have something to read.

Rows are written in bulk, not through the services: this is the shape of the data the pages
read, not a test of how it got there.
"""

import random
from decimal import Decimal

GRADES = [("excellent", 92), ("good", 84), ("pass", 70), ("fail", 52)]
# four in five finalized, as late in a season (the circular ranks 4,000 of 5,000)
STATUSES = ["not_started", "in_progress", "under_review"] + ["finalized"] * 12
DOCUMENT_STATUSES = ["submitted", "accepted", "returned", "missing"]


def grow(size: int) -> None:
    from accounts.models import Role, User
    from agencies.models import Agency, Audit, Cycle
    from evidence.models import DocumentRequest, RequiredDocument

    rng = random.Random(2023)  # noqa: S311 (the shape of benchmark data, not a secret)
    cycle = Cycle.objects.get(year=2023)
    existing = cycle.audits.count()
    agencies = Agency.objects.bulk_create(
        (Agency(code=str(1000 + n), name=f"基准代办处{1000 + n}") for n in range(size - existing)),
        batch_size=1000,
    )
    audits = []
    for n, agency in enumerate(agencies, start=existing + 1):
        grade, total = rng.choice(GRADES)
        audits.append(
            Audit(
                cycle=cycle,
                agency=agency,
                serial=n,
                status=rng.choice(STATUSES),
                scored_count=rng.randint(0, 29),
                total_score=Decimal(total) + Decimal(rng.randint(0, 9)) / 10,
                grade=grade,
                category_scores=[
                    {"position": 1, "name": "组织机构管理", "score": "90.0"},
                    {"position": 2, "name": "业务管理", "score": "85.5"},
                    {"position": 3, "name": "财务管理", "score": "75.0"},
                ],
            )
        )
    audits = Audit.objects.bulk_create(audits, batch_size=1000)
    auditors = User.objects.bulk_create(
        User(username=f"bench-auditor-{n}", full_name=f"基准稽核员{n}", role=Role.AUDITOR)
        for n in range(20)
    )
    links = Audit.auditors.through
    links.objects.bulk_create(
        (
            links(audit_id=audit.pk, user_id=auditors[n % len(auditors)].pk)
            for n, audit in enumerate(audits)
        ),
        batch_size=1000,
    )
    documents = list(RequiredDocument.objects.filter(cycle=cycle))
    requests = []
    for audit in audits:
        for document in documents:
            status = rng.choice(DOCUMENT_STATUSES)
            requests.append(
                DocumentRequest(
                    audit=audit,
                    document=document,
                    status=status,
                    return_reason="不清楚" if status == "returned" else "",
                )
            )
    DocumentRequest.objects.bulk_create(requests, batch_size=2000)
    _previous_cycle(cycle, rng)


def _previous_cycle(cycle, rng) -> None:
    """A 2022 cycle before 2023 holding every agency's finalized total: one query's worth of
    history for the overview's subquery (the checklist is not copied: no page here reads it)."""
    from agencies.models import Agency, Audit, Cycle

    previous = Cycle.objects.create(year=2022, title="2022年度稽核")
    Audit.objects.bulk_create(
        (
            Audit(
                cycle=previous,
                agency_id=agency_id,
                serial=n,
                status="finalized",
                total_score=Decimal(rng.randint(600, 990)) / 10,
                grade="good",
            )
            for n, agency_id in enumerate(Agency.objects.values_list("pk", flat=True), start=1)
        ),
        batch_size=1000,
    )
    Cycle.objects.filter(pk=cycle.pk).update(previous=previous)
