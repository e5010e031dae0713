"""A province-sized cycle for `make bench` (issues 16, 27): BENCH_AGENCIES=5000 makes a cycle
of that many agencies beside the seed's 2023 of 50 (four-digit codes beside the seed's
three-digit ones), so that every page is timed at both sizes in one alternated run; each
audit scored with a total, a grade and category scores, 10 document requests each in mixed
statuses, two rectification items for each finalized audit, each assigned to one of 20 auditors of its own (the benchmark's auditor keeps
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


LARGE_YEAR = 2024  # the province-sized cycle, beside the office's 2023
HISTORY_YEAR = 2022  # its previous cycle: every agency's finalized total


def grow(size: int):
    """A cycle of ``size`` agencies of its own (LARGE_YEAR, the latest, so the 工作台 reads
    it), beside the seed's 2023 of 50, which stays as it is: each page is then timed at
    both sizes in turn, in one run. The seed's 50 agencies are on it too, assigned to the
    benchmark's auditor. Returns the cycle."""
    from accounts.models import Role, User
    from agencies.models import Agency, Audit, Cycle
    from audit_portal.testing import persona_user
    from checklist.models import Category, Standard
    from evidence.models import DocumentRequest, RequiredDocument

    rng = random.Random(2023)  # noqa: S311 (the shape of benchmark data, not a secret)
    seed_cycle = Cycle.objects.get(year=2023)
    cycle = Cycle.objects.create(
        year=LARGE_YEAR,
        title=f"{LARGE_YEAR}年度稽核（基准）",
        document_deadline=seed_cycle.document_deadline,
        report_number_format=seed_cycle.report_number_format,
    )
    for category in seed_cycle.categories.order_by("position"):
        copy = Category.objects.create(cycle=cycle, position=category.position, name=category.name)
        Standard.objects.bulk_create(
            Standard(
                category=copy,
                number=standard.number,
                text=standard.text,
                max_points=standard.max_points,
                is_veto=standard.is_veto,
                applies_to=standard.applies_to,
            )
            for standard in category.standards.order_by("number")
        )
    RequiredDocument.objects.bulk_create(
        RequiredDocument(
            cycle=cycle,
            number=document.number,
            title=document.title,
            short_name=document.short_name,
            is_previous_report=document.is_previous_report,
        )
        for document in seed_cycle.required_documents.order_by("number")
    )
    seed_agencies = [audit.agency for audit in seed_cycle.audits.roster()]
    agencies = seed_agencies + Agency.objects.bulk_create(
        (Agency(code=str(1000 + n), name=f"基准代办处{1000 + n}") for n in range(size - 50)),
        batch_size=1000,
    )
    audits = []
    for n, agency in enumerate(agencies, start=1):
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
    bench_auditor = persona_user("auditor")
    links = Audit.auditors.through
    links.objects.bulk_create(
        (
            links(
                audit_id=audit.pk,
                user_id=bench_auditor.pk if n < 50 else auditors[n % len(auditors)].pk,
            )
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
    _rectification_items(cycle, audits, rng)
    _previous_cycle(cycle, agencies, rng)
    return cycle


def _rectification_items(cycle, audits, rng) -> None:
    """Two items for each finalized audit (about 8,000 at 5,000 agencies), in every status,
    some overdue: what the 整改台账 and the manager's 工作台 read at a province's size."""
    from datetime import timedelta

    from django.utils import timezone

    from checklist.models import Standard
    from rectification.models import ItemStatus, RectificationItem

    standards = list(Standard.objects.filter(category__cycle=cycle))
    today = timezone.localdate()
    statuses = list(ItemStatus)
    RectificationItem.objects.bulk_create(
        (
            RectificationItem(
                audit=audit,
                standard=standard,
                result="non_compliant",
                finding="抽查资料发现记录不完整，部分凭证缺少经办人签字。",
                requirement="对照标准逐项自查，补齐缺失的记录和签字。",
                deadline=today + timedelta(days=rng.randint(-20, 40)),
                status=rng.choice(statuses),
            )
            for audit in audits
            if audit.status == "finalized"
            for standard in rng.sample(standards, 2)
        ),
        batch_size=2000,
    )


def _previous_cycle(cycle, agencies, rng) -> None:
    """A cycle before the large one holding every agency's finalized total: one query's
    worth of history for the overview's subquery (the checklist is not copied: no page here
    reads it)."""
    from agencies.models import Audit, Cycle

    previous = Cycle.objects.create(
        year=HISTORY_YEAR,
        title=f"{HISTORY_YEAR}年度稽核",
        report_number_format="稽核〔{year}〕{code}号",
    )
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
            for n, agency_id in enumerate((agency.pk for agency in agencies), start=1)
        ),
        batch_size=1000,
    )
    Cycle.objects.filter(pk=cycle.pk).update(previous=previous)
