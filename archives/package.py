"""One agency's 稽核档案 for one cycle, as a ZIP: every record in its class (结论类, 证明类,
立项类, 备查类), a manifest (manifest.json) that names, dates, classes and digests each file,
and the manifest's signature (manifest.sig).

Files are streamed into the ZIP one at a time, evidence straight from the file store, so a
package of any size is built in flat memory; the documents the portal generates are PDF/A
(common.pdf) and the spreadsheets have their print set-up.
"""

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook

from agencies.models import Audit, AuditEvent
from checklist import workpaper
from checklist.models import Assessment, AssessmentChange
from common import pdf as rendering
from common.spreadsheets import not_a_formula, set_up_printing
from evidence.models import EvidenceFile, evidence_storage
from procedure.models import AuditNotice, DraftReport, ObjectionProof
from rectification.models import ProofFile
from reports import data, pdf
from reports.models import IssuedReport, RectificationReport
from security.events import audit_target
from security.models import SecurityEvent

from . import digests

MANIFEST, SIGNATURE = "manifest.json", "manifest.sig"
CONCLUSION, PROOF, INITIATION, REFERENCE = "结论类", "证明类", "立项类", "备查类"
CLASSES = (CONCLUSION, PROOF, INITIATION, REFERENCE)


@dataclass
class Member:
    """One file of the package: where it goes, what the manifest says of it, and how to get
    its bytes (``content``, or ``key`` in the evidence store)."""

    path: str
    title: str
    klass: str
    author: str
    created: date | datetime
    generated: bool
    content: bytes | None = None
    key: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def format(self) -> str:
        return self.path.rsplit(".", 1)[-1].lower() if "." in self.path else ""


def _day(value) -> str:
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return value.isoformat()


def _safe(name: str) -> str:
    """A file name as the ZIP keeps it: no folders, no control characters."""
    cleaned = "".join("_" if c in '/\\:*?"<>|' or ord(c) < 32 else c for c in name).strip(". ")
    return cleaned[:120] or "file"


def _record_pdf(
    title: str, office: str, sections: list[tuple[str, list[list[str]]]], render
) -> bytes:
    """A plain record (立项记录, 反馈记录) as a PDF/A: titled tables."""
    return render(
        render_to_string(
            "archives/record.html", {"title": title, "office": office, "sections": sections}
        )
    )


def _scores_xlsx(audit: Audit) -> bytes:
    """稽核评分记录: each standard's result as finalized, and every change of it (who, when,
    where it was entered, before → after)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "评分"
    sheet.append(["标准", "结果", "得分", "满分", "问题描述", "整改要求"])
    assessments = (
        Assessment.objects.filter(audit=audit)
        .select_related("standard__category")
        .order_by("standard__category__position", "standard__number")
    )
    for a in assessments:
        sheet.append(
            [
                a.standard.code,
                a.get_result_display(),
                a.points,
                a.max_points,
                not_a_formula(a.finding),
                not_a_formula(a.rectification),
            ]
        )
    set_up_printing(sheet, f"{audit.cycle.year}年度 {audit.agency.name} 稽核评分记录")
    history = book.create_sheet("修改记录")
    history.append(["标准", "版本", "修改人", "修改时间", "录入方式", "修改前", "修改后"])
    changes = (
        AssessmentChange.objects.filter(assessment__audit=audit)
        .select_related("assessment__standard__category", "changed_by")
        .order_by(
            "assessment__standard__category__position", "assessment__standard__number", "version"
        )
    )
    for c in changes:
        history.append(
            [
                c.assessment.standard.code,
                c.version,
                c.changed_by.display_name,
                timezone.localtime(c.changed_at).strftime("%Y-%m-%d %H:%M"),
                c.get_source_display(),
                not_a_formula(json.dumps(c.old, ensure_ascii=False)),
                not_a_formula(json.dumps(c.new, ensure_ascii=False)),
            ]
        )
    set_up_printing(history, f"{audit.cycle.year}年度 {audit.agency.name} 评分修改记录")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _security_csv(audit: Audit) -> bytes:
    """The audit's entries of the security log: requests under its address, and events naming
    it (finalized, reopened)."""
    prefix = f"/cycles/{audit.cycle.year}/agencies/{audit.agency.code}/"
    events = SecurityEvent.objects.filter(
        Q(path__startswith=prefix) | Q(target__startswith=audit_target(audit))
    ).order_by("at", "id")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["时间", "事件", "用户", "地址", "请求", "结果", "对象", "链哈希"])
    for e in events.iterator(chunk_size=500):
        writer.writerow(
            [
                timezone.localtime(e.at).isoformat(),
                e.get_kind_display(),
                e.username,
                e.address or "",
                f"{e.method} {e.path}".strip(),
                e.status or "",
                not_a_formula(e.target),
                e.hash,
            ]
        )
    return ("\ufeff" + out.getvalue()).encode()


def members(
    audit: Audit,
    *,
    circular: bytes | None = None,
    render: Callable[[str], bytes] = rendering.render,
) -> Iterator[Member]:
    """Every record of the audit, in its class, in the order the package lists them, one at
    a time: a generated document is made (its PDF by ``render``) when its turn comes and
    dropped once written, so the package's size never sits in memory."""
    office = settings.PORTAL_OFFICE_NAME
    year, agency = audit.cycle.year, audit.agency
    now = timezone.now()

    # 结论类: the reports as issued, the draft and the agency's reply, the circular
    for report in IssuedReport.objects.filter(audit=audit).order_by("version"):
        yield Member(
            f"{CONCLUSION}/稽核报告-{_safe(report.number)}.pdf",
            f"{agency.name}{year}年度稽核报告（{report.number}）",
            CONCLUSION,
            office,
            report.issued_at,
            True,
            bytes(report.content),
        )
    drafts = list(
        DraftReport.objects.filter(audit=audit).order_by("version").select_related("replied_by")
    )
    for draft in drafts:
        yield Member(
            f"{CONCLUSION}/征求意见稿-{_safe(draft.number)}.pdf",
            f"{agency.name}{year}年度稽核报告征求意见稿（{draft.number}）",
            CONCLUSION,
            office,
            draft.sent_at,
            True,
            bytes(draft.content),
        )
        rows = [
            [
                p.standard.code,
                p.get_opinion_display() or "—",
                p.explanation or "—",
                p.get_decision_display() or "—",
                p.decision_reason or "—",
            ]
            for p in draft.problems.select_related("standard__category")
        ]
        state = draft.get_status_display()
        if draft.replied_at:
            state += f"（{draft.replied_by.display_name}，{timezone.localtime(draft.replied_at):%Y-%m-%d %H:%M}）"
        yield Member(
            f"{CONCLUSION}/征求意见反馈及采纳情况-{_safe(draft.number)}.pdf",
            f"{agency.name}对征求意见稿的书面反馈及采纳情况（{draft.number}）",
            CONCLUSION,
            agency.name,
            draft.replied_at or draft.sent_at,
            True,
            _record_pdf(
                f"{agency.name}对征求意见稿（{draft.number}）的反馈及采纳情况",
                office,
                [
                    (
                        "反馈情况",
                        [
                            ["状态", state],
                            ["反馈期限", draft.reply_due.isoformat()],
                            ["总体意见", draft.opinion or "—"],
                        ],
                    ),
                    (
                        "逐项意见及采纳情况",
                        [["标准", "意见", "说明", "采纳情况", "理由"], *rows],
                    ),
                ],
                render,
            ),
        )
    for report in RectificationReport.objects.filter(audit=audit).order_by("version"):
        yield Member(
            f"{CONCLUSION}/整改情况报告-{_safe(report.number)}.pdf",
            f"{agency.name}{year}年度整改情况报告（{report.number}）",
            CONCLUSION,
            office,
            report.issued_at,
            True,
            bytes(report.content),
        )
    if circular is None:
        circular = render(pdf.circular_html(data.circular(audit.cycle)))
    yield Member(
        f"{CONCLUSION}/{year}年度稽核通报.pdf",
        f"{audit.cycle.title}通报",
        CONCLUSION,
        office,
        now,
        True,
        circular,
    )

    # 证明类: the evidence as uploaded, the scoring with its history, the work paper, the
    # self-assessment
    proofs = set(ProofFile.objects.filter(item__audit=audit).values_list("file_id", flat=True))
    objections = set(
        ObjectionProof.objects.filter(problem__draft__audit=audit).values_list("file_id", flat=True)
    )
    signed = {d.signed_reply_id for d in drafts if d.signed_reply_id}
    files = (
        EvidenceFile.objects.filter(audit=audit)
        .select_related("request__document", "uploaded_by__agency")
        .order_by("id")
    )
    for file in files.iterator(chunk_size=200):
        name = f"{file.pk}-{_safe(file.original_name)}"
        uploader = file.uploaded_by.agency.name if file.uploaded_by.agency_id else office
        if file.pk in signed or file.pk in objections:
            klass, folder, title = (
                CONCLUSION,
                "征求意见反馈附件",
                f"征求意见稿反馈附件：{file.original_name}",
            )
        elif file.pk in proofs:
            klass, folder, title = PROOF, "整改佐证", f"整改佐证材料：{file.original_name}"
        elif file.request_id:
            document = file.request.document
            klass, folder, title = (
                PROOF,
                "稽核前资料",
                f"稽核前资料{document.number}：{file.original_name}",
            )
            name = f"{document.number:02d}-{name}"
        else:
            klass, folder, title = PROOF, "其他", file.original_name
        yield Member(
            f"{klass}/{folder}/{name}",
            title,
            klass,
            uploader,
            file.uploaded_at,
            False,
            key=file.key,
            extra={"sha256_at_upload": file.sha256},
        )
    yield Member(
        f"{PROOF}/稽核评分表.pdf",
        f"{agency.name}{year}年度稽核评分表",
        PROOF,
        office,
        audit.finalized_at or now,
        True,
        render(
            render_to_string("reports/scoring_form.html", data.scoring_form(audit, filled=True))
        ),
    )
    yield Member(
        f"{PROOF}/稽核评分记录.xlsx",
        f"{agency.name}{year}年度稽核评分及修改记录",
        PROOF,
        office,
        audit.finalized_at or now,
        True,
        _scores_xlsx(audit),
    )
    yield Member(
        f"{PROOF}/{_safe(workpaper.file_name(audit))}",
        f"{agency.name}{year}年度稽核工作底稿",
        PROOF,
        office,
        now,
        True,
        workpaper.build(audit),
    )
    if hasattr(audit, "self_assessment"):
        yield Member(
            f"{PROOF}/自查自评表.pdf",
            f"{agency.name}{year}年度自查自评表",
            PROOF,
            agency.name,
            audit.self_assessment.submitted_at or now,
            True,
            render(
                render_to_string(
                    "reports/scoring_form.html", data.scoring_form(audit, self_assessment=True)
                )
            ),
        )

    # 立项类: the notices and their receipt, the assignment
    notices = list(
        AuditNotice.objects.filter(audit=audit).order_by("version").select_related("received_by")
    )
    for notice in notices:
        yield Member(
            f"{INITIATION}/稽核通知书-{_safe(notice.number)}.pdf",
            f"稽核通知书（{notice.number}）",
            INITIATION,
            office,
            notice.issued_at,
            True,
            bytes(notice.content),
        )
    events = (
        AuditEvent.objects.filter(
            audit=audit,
            action__in=[
                AuditEvent.Action.ASSIGNED,
                AuditEvent.Action.NOTICE_ISSUED,
                AuditEvent.Action.NOTICE_RECEIVED,
            ],
        )
        .select_related("actor")
        .order_by("at", "id")
    )
    yield Member(
        f"{INITIATION}/立项记录.pdf",
        f"{agency.name}{year}年度稽核立项记录（人员分配、通知书发出及签收）",
        INITIATION,
        office,
        now,
        True,
        _record_pdf(
            f"{agency.name}{year}年度稽核立项记录",
            office,
            [
                (
                    "稽核人员",
                    [
                        [
                            "稽核人员",
                            "、".join(u.display_name for u in audit.auditors.order_by("username"))
                            or "—",
                        ],
                        ["组长", audit.team_leader.display_name if audit.team_leader else "—"],
                    ],
                ),
                (
                    "通知书签收",
                    [
                        ["通知书", "签收人", "签收时间"],
                        *(
                            [
                                n.number,
                                n.received_by.display_name if n.received_by else "未签收",
                                f"{timezone.localtime(n.received_at):%Y-%m-%d %H:%M}"
                                if n.received_at
                                else "—",
                            ]
                            for n in notices
                        ),
                    ],
                ),
                (
                    "记录",
                    [
                        ["时间", "事项", "经办人", "说明"],
                        *(
                            [
                                f"{timezone.localtime(e.at):%Y-%m-%d %H:%M}",
                                e.get_action_display(),
                                e.actor.display_name,
                                e.comment or "—",
                            ]
                            for e in events
                        ),
                    ],
                ),
            ],
            render,
        ),
    )

    # 备查类: the audit's entries of the security log
    yield Member(
        f"{REFERENCE}/安全日志.csv",
        f"{agency.name}{year}年度稽核相关安全日志",
        REFERENCE,
        office,
        now,
        True,
        _security_csv(audit),
    )


def _retention(cycle) -> dict:
    return {
        CONCLUSION: cycle.retention_conclusion,
        PROOF: cycle.retention_proof,
        INITIATION: cycle.retention_initiation,
        REFERENCE: cycle.retention_reference,
    }


def build(
    audit: Audit,
    target,
    *,
    by=None,
    circular: bytes | None = None,
    render: Callable[[str], bytes] | None = None,
) -> dict:
    """Write the package of ``audit`` to ``target`` (a path or a binary file) and return its
    manifest. ``render`` turns a generated document's HTML into its PDF (the background
    worker's renders in a process of its own: ``common.pdf.renderer``; here by default)."""
    render = render or rendering.render
    audit = Audit.objects.select_related("cycle", "agency", "team_leader").get(pk=audit.pk)
    cycle, retention = audit.cycle, _retention(audit.cycle)
    number = cycle.archive_number(audit.agency)
    entries = []
    storage = evidence_storage()
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as package:
        for member in members(audit, circular=circular, render=render):
            counter = digests.Digests()
            with package.open(f"{number}/{member.path}", "w", force_zip64=True) as out:
                if member.key:
                    with storage.open(member.key, "rb") as stream:
                        for block in iter(lambda: stream.read(1024 * 1024), b""):
                            counter.update(block)
                            out.write(block)
                else:
                    counter.update(member.content)
                    out.write(member.content)
            entries.append(
                {
                    "path": member.path,
                    "题名": member.title,
                    "责任者": member.author,
                    "形成日期": _day(member.created),
                    "类别": member.klass,
                    "保管期限": retention[member.klass],
                    "格式": member.format,
                    "系统生成": member.generated,
                    **counter.result(),
                    **member.extra,
                }
            )
        manifest = {
            "档号": number,
            "全宗": settings.PORTAL_OFFICE_NAME,
            "年度": cycle.year,
            "稽核": cycle.title,
            "被稽核单位": {"编码": audit.agency.code, "名称": audit.agency.name},
            "归档时间": timezone.localtime().isoformat(),
            "归档人": by.display_name if by else "",
            "保管期限": retention,
            "文件": entries,
            "包摘要": {"算法": "SHA-256", "值": digests.package_digest(entries)},
        }
        body = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
        package.writestr(f"{number}/{MANIFEST}", body)
        package.writestr(f"{number}/{SIGNATURE}", digests.sign(body) + "\n")
    return manifest
