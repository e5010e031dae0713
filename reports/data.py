"""What an agency report and a cycle circular say, gathered in a fixed number of queries.

The builders in pdf.py and excel.py only lay these out; the same data serves the web, the
background bundle and the tests.
"""

import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from agencies.charts import score_history_svg
from agencies.models import Audit, AuditEvent, AuditStatus, Grade, history
from checklist import problems as problem_library
from checklist import services as scoring
from checklist.models import Assessment, Result
from evidence.models import DocumentRequest, DocumentStatus, RequiredDocument
from evidence.services import document_rows
from procedure import drafts
from rectification.models import ItemStatus, RectificationItem
from selfassessment.models import SelfAssessment, SelfAssessmentEntry


@dataclass
class StandardLine:
    code: str
    text: str
    max_points: object
    result: str = ""
    result_label: str = ""
    points: object = None
    finding: str = ""
    rectification: str = ""
    reason: str = ""
    problem_type: str = ""  # 问题库 type of a problem, as 财务管理 › 审批手续不全
    recurring: str = ""  # 屡查屡犯（2022）: the agency had the same problem before


@dataclass
class CategoryBlock:
    position: int
    name: str
    score: object
    lines: list = field(default_factory=list)


def _result_label(value: str) -> str:
    return str(Result(value).label) if value else "未评"


def agency_report(audit: Audit, *, number: str | None = None, reply_due=None) -> dict:
    """Everything the agency report shows (number None for a draft; ``reply_due`` for the
    征求意见稿 sent to the agency under ``number``)."""
    audit = Audit.objects.select_related("cycle", "agency").get(pk=audit.pk)
    standards = scoring.applicable_standards(audit)
    assessments = {
        a.standard_id: a
        for a in Assessment.objects.filter(audit=audit).select_related("problem_type__parent")
    }
    scores = scoring.audit_scores(audit, standards, list(assessments.values()))
    summary = scoring.summary(scores, standards)
    recurring = problem_library.recurring(audit, assessments)

    blocks: list[CategoryBlock] = []
    problems = []
    for standard in standards:
        category = standard.category
        if not blocks or blocks[-1].position != category.position:
            blocks.append(
                CategoryBlock(
                    category.position, category.name, scores.categories[category.position].score
                )
            )
        assessment = assessments.get(standard.pk)
        line = StandardLine(standard.code, standard.text, standard.max_points)
        if assessment:
            line.result = assessment.result
            line.result_label = _result_label(assessment.result)
            line.points = assessment.points
            line.finding = assessment.finding
            line.rectification = assessment.rectification
            line.reason = assessment.not_applicable_reason
            if assessment.result in (Result.LARGELY_COMPLIANT, Result.NON_COMPLIANT):
                line.problem_type = assessment.problem_type.path if assessment.problem_type else ""
                recurrence = recurring.get(standard.pk)
                line.recurring = recurrence.label if recurrence else ""
                problems.append(line)
        else:
            line.result_label = _result_label("")
        blocks[-1].lines.append(line)

    # as the documents page lists them (evidence.services)
    documents = [
        {
            "number": row.document.number,
            "title": row.document.title,
            "status": row.status,
            "status_label": row.status_label,
            "files": len(row.files),
        }
        for row in document_rows(audit)
    ]

    events = {e.action: e.at for e in AuditEvent.objects.filter(audit=audit).order_by("at")}
    past = history(audit)
    carried = previous_problems(audit)
    self_assessment = self_assessment_comparison(audit, standards, assessments)
    # the agency's written reply to the 征求意见稿, in the report issued after it
    consultation = None if reply_due else drafts.report_section(audit)
    # 一 to 三 are always there; the sections after them are numbered as they appear.
    later = [
        name
        for name, present in (
            ("previous", carried),
            ("self", self_assessment),
            ("consultation", consultation),
            ("documents", True),
        )
        if present
    ]
    return {
        "office": settings.PORTAL_OFFICE_NAME,
        "audit": audit,
        "cycle": audit.cycle,
        "agency": audit.agency,
        "auditors": [u.display_name for u in audit.auditors.order_by("username")],
        "started_on": events.get(AuditEvent.Action.STARTED),
        "finalized_on": audit.finalized_at or events.get(AuditEvent.Action.FINALIZED),
        "summary": summary,
        "grade_label": str(Grade(summary["grade"]).label) if summary["grade"] else "—",
        "blocks": blocks,
        "problems": problems,
        "previous_problems": carried,
        "history": past,
        "history_chart": score_history_svg((a.cycle.year, a.total_score, a.grade) for a in past),
        "self_assessment": self_assessment,
        "section": {name: "四五六七"[i] for i, name in enumerate(later)},
        "consultation": consultation,
        "reply_due": reply_due,
        "documents": documents,
        "number": number,
        "draft": number is None,
        "generated_at": timezone.localtime(),
    }


def self_assessment_comparison(audit: Audit, standards, assessments: dict) -> dict | None:
    """自评与稽核对照: the agency's submitted self-assessment beside the audit, standard by
    standard, with the difference in points; None when none was submitted."""
    state = SelfAssessment.objects.filter(
        audit=audit, status=SelfAssessment.Status.SUBMITTED
    ).first()
    if state is None:
        return None
    entries = {e.standard_id: e for e in SelfAssessmentEntry.objects.filter(audit=audit)}
    lines = []
    for standard in standards:
        entry, assessment = entries.get(standard.pk), assessments.get(standard.pk)
        mine = entry.points if entry else None
        theirs = assessment.points if assessment else None
        lines.append(
            {
                "code": standard.code,
                "self_result": _result_label(entry.result if entry else ""),
                "self_points": mine,
                "audit_result": _result_label(assessment.result if assessment else ""),
                "audit_points": theirs,
                "difference": mine - theirs if mine is not None and theirs is not None else None,
            }
        )
    total = audit.total_score
    return {
        "submitted_at": state.submitted_at,
        "self_total": state.total_score,
        "audit_total": total,
        "difference": state.total_score - total
        if state.total_score is not None and total is not None
        else None,
        "lines": lines,
        "differing": sum(1 for line in lines if line["difference"]),
    }


def previous_problems(audit: Audit) -> list[dict]:
    """上年问题整改情况: the agency's rectification items of the previous cycle and where each
    stands as the report is rendered (closed on a date, or its status and whether late)."""
    if audit.cycle.previous_id is None:
        return []
    items = (
        RectificationItem.objects.filter(
            audit__cycle_id=audit.cycle.previous_id,
            audit__agency_id=audit.agency_id,
            withdrawn=False,
        )
        .select_related("standard__category")
        .order_by("standard__category__position", "standard__number", "id")
    )
    rows = []
    for item in items:
        if item.status == ItemStatus.CLOSED:
            state = f"已销号（{timezone.localtime(item.closed_at):%Y-%m-%d}）"
        else:
            state = str(ItemStatus(item.status).label)
            if item.is_overdue():
                state += "，已逾期"
        rows.append({"code": item.standard.code, "finding": item.finding, "state": state})
    return rows


def _finalized(audits) -> list[Audit]:
    return [a for a in audits if a.status == AuditStatus.FINALIZED and a.total_score is not None]


def _category_averages(finalized) -> list[dict]:
    categories: dict[int, dict] = {}
    for audit in finalized:
        for entry in audit.category_scores:
            if entry.get("score") is None:
                continue
            bucket = categories.setdefault(entry["position"], {"name": entry["name"], "scores": []})
            bucket["scores"].append(float(entry["score"]))
    return [
        {"position": p, "name": b["name"], "average": round(sum(b["scores"]) / len(b["scores"]), 1)}
        for p, b in sorted(categories.items())
    ]


MOVERS = 5


def comparison(cycle, finalized: list[Audit]) -> dict | None:
    """与上年比较: category averages and grade distribution then and now, and the agencies
    whose total moved most up and down (finalized in both cycles); None without a previous
    cycle that has a finalized audit."""
    if cycle.previous_id is None:
        return None
    previous = cycle.previous
    then = _finalized(previous.audits.select_related("agency"))
    if not then:
        return None
    averages_then = {a["position"]: a for a in _category_averages(then)}
    averages_now = {a["position"]: a for a in _category_averages(finalized)}
    categories = []
    for position in sorted(averages_then.keys() | averages_now.keys()):
        old, new = averages_then.get(position), averages_now.get(position)
        categories.append(
            {
                "name": (new or old)["name"],
                "then": old["average"] if old else None,
                "now": new["average"] if new else None,
                "change": round(new["average"] - old["average"], 1) if old and new else None,
            }
        )
    grades_then, grades_now = Counter(a.grade for a in then), Counter(a.grade for a in finalized)
    total_then = {a.agency_id: a.total_score for a in then}
    moves = [
        {
            "audit": a,
            "then": total_then[a.agency_id],
            "change": a.total_score - total_then[a.agency_id],
        }
        for a in finalized
        if a.agency_id in total_then
    ]
    up = sorted(
        (m for m in moves if m["change"] > 0), key=lambda m: (-m["change"], m["audit"].serial)
    )
    down = sorted(
        (m for m in moves if m["change"] < 0), key=lambda m: (m["change"], m["audit"].serial)
    )
    return {
        "previous": previous,
        "categories": categories,
        "grades": [
            (str(g.label), grades_then.get(g.value, 0), grades_now.get(g.value, 0)) for g in Grade
        ],
        "count_then": len(then),
        "count_now": len(finalized),
        "up": up[:MOVERS],
        "down": down[:MOVERS],
        "compared": len(moves),
    }


def circular(cycle) -> dict:
    """The cycle circular: finalized audits ranked, grades, category averages, common problems,
    and the comparison with the previous cycle."""
    audits = list(cycle.audits.select_related("agency").order_by("serial"))
    finalized = _finalized(audits)
    ranked = sorted(finalized, key=lambda a: (-a.total_score, a.serial))
    grades = Counter(a.grade for a in finalized)
    averages = _category_averages(finalized)
    failures = Counter()
    texts = {}
    rows = Assessment.objects.filter(
        audit__in=finalized, result__in=[Result.LARGELY_COMPLIANT, Result.NON_COMPLIANT]
    ).values_list("standard__category__position", "standard__number", "standard__text", "result")
    for position, number, text, result in rows:
        key = f"{position}-{number}"
        texts[key] = text
        failures[(key, result)] += 1
    common = {}
    for (key, result), count in failures.items():
        entry = common.setdefault(key, {"code": key, "text": texts[key], "largely": 0, "non": 0})
        entry["largely" if result == Result.LARGELY_COMPLIANT else "non"] += count
    # 不符合 weighs more than 基本符合: rank by 不符合, then by 基本符合 (the legend says so).
    most_common = sorted(common.values(), key=lambda e: (-e["non"], -e["largely"], e["code"]))[:10]
    rectification = _rectification_summary(cycle)
    compared = comparison(cycle, finalized)
    return {
        "office": settings.PORTAL_OFFICE_NAME,
        "cycle": cycle,
        "ranked": ranked,
        "roster_size": len(audits),
        "finalized_count": len(finalized),
        "grades": [(g, str(g.label), grades.get(g.value, 0)) for g in Grade],
        "grade_counts": {g.value: grades.get(g.value, 0) for g in Grade},
        "averages": averages,
        "common": most_common,
        "recurring": [
            {
                "code": audit.agency.code,
                "agency": audit.agency.name,
                "standard": standard.code,
                "problem_type": assessment_type,
                "years": "、".join(str(y) for y in recurrence.years),
            }
            for audit, standard, recurrence, assessment_type in _recurring(cycle)
        ],
        "rectification": rectification,
        "comparison": compared,
        "self_assessment": self_assessment_gaps(finalized),
        # 五 onwards are numbered as they appear: 整改情况, 与上年比较, then this one
        "self_section": "五六七"[bool(rectification) + bool(compared)],
        "generated_at": timezone.localtime(),
        "compact_from": CIRCULAR_COMPACT_FROM,
        "ranking_lines": ranking_lines(ranked, averages)
        if len(ranked) > CIRCULAR_COMPACT_FROM
        else None,
    }


def _recurring(cycle):
    """屡查屡犯 in the circular: each recurring problem with its type's name."""
    from checklist.models import ProblemType

    found = problem_library.recurring_in_cycle(cycle)
    names = {t.pk: t.path for t in ProblemType.objects.select_related("parent")}
    return [
        (audit, standard, recurrence, names.get(type_id, ""))
        for audit, standard, recurrence, type_id in found
    ]


SELF_ASSESSMENT_GAPS = 10
# Past this many rows the circular's long tables are set compact (small type, fixed layout)
# and its ranking becomes lines of fixed-width text: WeasyPrint lays out a table of 4,000
# rows in 30 s and 670 MB, the same as text in 11 s and 120 MB (issue 16).
CIRCULAR_COMPACT_FROM = 200


def _width(text: str) -> int:
    """Columns the text takes in a fixed-width CJK font: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(text, width: int, *, right: bool = False) -> str:
    text = str(text)
    pad = " " * max(width - _width(text), 0)
    return pad + text if right else text + pad


def ranking_lines(ranked, averages) -> list[str]:
    """The ranking as aligned lines of text, a header first (名次, 编码, name, 总分, 等级 and
    each category's score, as the table has them)."""
    name_width = max([_width("代办处（经办机构）")] + [_width(a.agency.name) for a in ranked])
    header = [
        _cell("名次", 5, right=True),
        _cell("编码", 7),
        _cell("代办处（经办机构）", name_width),
        _cell("总分", 6, right=True),
        _cell("等级", 6),
        *(_cell(a["name"], max(_width(a["name"]), 6), right=True) for a in averages),
    ]
    widths = [max(_width(a["name"]), 6) for a in averages]
    lines = ["  ".join(header).rstrip()]
    for place, audit in enumerate(ranked, start=1):
        scores = [c.get("score") or "—" for c in audit.category_scores]
        cells = [
            _cell(place, 5, right=True),
            _cell(audit.agency.code, 7),
            _cell(audit.agency.name, name_width),
            _cell(audit.total_score, 6, right=True),
            _cell(audit.get_grade_display(), 6),
            *(
                _cell(score, width, right=True)
                for score, width in zip(scores, widths, strict=False)
            ),
        ]
        lines.append("  ".join(cells).rstrip())
    return lines


def self_assessment_gaps(finalized: list[Audit]) -> dict | None:
    """自评与稽核差异: the finalized agencies whose submitted self-assessment total differs
    most from the audit's (largest difference first); None when no agency submitted one."""
    totals = dict(
        SelfAssessment.objects.filter(
            audit__in=finalized,
            status=SelfAssessment.Status.SUBMITTED,
            total_score__isnull=False,
        ).values_list("audit_id", "total_score")
    )
    if not totals:
        return None
    gaps = [
        {"audit": a, "self_total": totals[a.pk], "difference": totals[a.pk] - a.total_score}
        for a in finalized
        if a.pk in totals
    ]
    gaps.sort(key=lambda g: (-abs(g["difference"]), g["audit"].serial))
    return {
        "compared": len(gaps),
        "largest": gaps[:SELF_ASSESSMENT_GAPS],
        "average": round(sum(abs(g["difference"]) for g in gaps) / len(gaps), 1),
    }


def _rectification_summary(cycle) -> dict | None:
    """Each agency's rectification (items, closed, overdue, completion rate) and the
    cycle's totals; None until a finalized audit has items."""
    from rectification.ledger import agency_progress

    rows = agency_progress(cycle)
    if not rows:
        return None
    total = sum(r.total for r in rows)
    closed = sum(r.closed for r in rows)
    return {
        "rows": rows,
        "total": total,
        "closed": closed,
        "overdue": sum(r.overdue for r in rows),
        "rate": round(100 * closed / total),
    }


def score_matrix(cycle) -> dict:
    """Agencies × standards for scores.xlsx, in a fixed number of queries."""
    from checklist.models import Standard

    standards = list(Standard.objects.for_cycle(cycle))
    category_names = []
    for standard in standards:
        if standard.category.name not in category_names:
            category_names.append(standard.category.name)
    points: dict[int, dict] = {}
    for audit_id, standard_id, result, value in Assessment.objects.filter(
        audit__cycle=cycle
    ).values_list("audit_id", "standard_id", "result", "points"):
        points.setdefault(audit_id, {})[standard_id] = (
            "不适用" if result == Result.NOT_APPLICABLE else value
        )
    documents = list(RequiredDocument.objects.filter(cycle=cycle).order_by("number"))
    statuses = {
        (a, d): s
        for a, d, s in DocumentRequest.objects.filter(audit__cycle=cycle).values_list(
            "audit_id", "document_id", "status"
        )
    }
    rows = []
    for audit in cycle.audits.select_related("agency").order_by("serial"):
        by_name = {c["name"]: c.get("score") for c in audit.category_scores}
        rows.append(
            {
                "serial": audit.serial,
                "code": audit.agency.code,
                "name": audit.agency.name,
                "status": audit.get_status_display(),
                "points": {
                    k: (v if v is None or isinstance(v, str) else float(v))
                    for k, v in points.get(audit.pk, {}).items()
                },
                "categories": [
                    float(by_name[n]) if by_name.get(n) else None for n in category_names
                ],
                "total": float(audit.total_score) if audit.total_score is not None else None,
                "grade": audit.get_grade_display() if audit.grade else "",
                "documents": [
                    str(
                        DocumentStatus(statuses.get((audit.pk, d.pk), DocumentStatus.MISSING)).label
                    )
                    for d in documents
                ],
            }
        )
    return {
        "heading": f"{cycle.year}年度稽核得分",
        "standards": [{"id": s.pk, "code": s.code, "text": s.text} for s in standards],
        "category_names": category_names,
        "documents": [{"number": d.number, "title": d.title} for d in documents],
        "rows": rows,
        "history": _history_by_year(cycle),
    }


def _history_by_year(cycle) -> dict:
    """Every agency of the roster × every cycle up to this one: the finalized total and grade
    (one query for the results, one for the years)."""
    roster = list(cycle.audits.select_related("agency").order_by("serial"))
    years = list(
        cycle.__class__.objects.filter(year__lte=cycle.year)
        .order_by("year")
        .values_list("year", flat=True)
    )
    results = {
        (agency_id, year): (total, grade)
        for agency_id, year, total, grade in Audit.objects.filter(
            cycle__year__lte=cycle.year,
            agency_id__in=[a.agency_id for a in roster],
            status=AuditStatus.FINALIZED,
        ).values_list("agency_id", "cycle__year", "total_score", "grade")
    }
    rows = []
    for audit in roster:
        cells = []
        for year in years:
            total, grade = results.get((audit.agency_id, year), (None, ""))
            cells += [
                float(total) if total is not None else None,
                str(Grade(grade).label) if grade else "",
            ]
        rows.append([audit.serial, audit.agency.code, audit.agency.name, *cells])
    return {"years": years, "rows": rows}


def rectification_report(audit: Audit, *, number: str | None = None) -> dict:
    """Everything the 整改情况报告 shows: every live item with its answer, proof and
    verification (number None while items are still open: a progress report)."""
    from rectification.ledger import progress
    from rectification.models import ProofFile, RectificationItem

    audit = Audit.objects.select_related("cycle", "agency").get(pk=audit.pk)
    items = list(
        RectificationItem.objects.filter(audit=audit, withdrawn=False)
        .in_order()
        .select_related("closed_by")
    )
    proofs: dict[int, list[str]] = {}
    for proof in ProofFile.objects.filter(item__in=items).select_related("file"):
        proofs.setdefault(proof.item_id, []).append(proof.file.original_name)
    audit_report = audit.issued_reports.defer("content").order_by("-version").first()
    today = timezone.localdate()
    return {
        "office": settings.PORTAL_OFFICE_NAME,
        "audit": audit,
        "cycle": audit.cycle,
        "agency": audit.agency,
        "audit_report_number": audit_report.number if audit_report else "",
        "finalized_on": audit.finalized_at,
        "items": [
            {
                "item": item,
                "result_label": _result_label(item.result),
                "overdue": item.is_overdue(today),
                "proofs": proofs.get(item.pk, []),
            }
            for item in items
        ],
        "progress": progress(audit, today),
        "number": number,
        "draft": number is None,
        "generated_at": timezone.localtime(),
    }


def scoring_form(audit: Audit, *, filled: bool = False, self_assessment: bool = False) -> dict:
    """稽核评分表 for auditors who work on paper (blank, or with the current scores), or the
    agency's 自查自评表 with its own entries: every applicable standard with boxes for the
    result, the points and notes, and lines to sign."""
    audit = Audit.objects.select_related("cycle", "agency").get(pk=audit.pk)
    standards = scoring.applicable_standards(audit)
    if self_assessment:
        source = SelfAssessmentEntry.objects.filter(audit=audit)
        values = {e.standard_id: (e.result, e.points, e.explanation) for e in source}
    elif filled:
        source = Assessment.objects.filter(audit=audit)
        values = {a.standard_id: (a.result, a.points, a.finding) for a in source}
    else:
        values = {}
    blocks: list[CategoryBlock] = []
    for standard in standards:
        category = standard.category
        if not blocks or blocks[-1].position != category.position:
            blocks.append(CategoryBlock(category.position, category.name, None))
        result, points, note = values.get(standard.pk, ("", None, ""))
        line = StandardLine(standard.code, standard.text, standard.max_points)
        line.result, line.points, line.finding = result, points, note
        blocks[-1].lines.append(line)
    return {
        "office": settings.PORTAL_OFFICE_NAME,
        "cycle": audit.cycle,
        "agency": audit.agency,
        "blocks": blocks,
        "results": [(value, str(label)) for value, label in Result.choices],
        "filled": filled or self_assessment,
        "self_assessment": self_assessment,
        "generated_at": timezone.localtime(),
    }
