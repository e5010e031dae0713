from datetime import date, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from agencies.models import Audit, AuditStatus, Cycle
from archives import services as archiving
from checklist import problem_types
from checklist import services as scoring
from checklist.models import Category, ProblemType, Result, Standard
from cycles.services import shift_years
from evidence import services as documents
from evidence.models import EvidenceFile, RequiredDocument
from procedure import drafts, notices
from procedure.models import Decision, Opinion
from rectification import services as rectification
from rectification.models import ItemEvent, ItemStatus
from reports import data, pdf
from reports import services as reports
from selfassessment import services as self_assessment

# 自查自评: standard code -> (result, points, 自查情况); every other standard 符合
CHAOYANG_SELF = {
    "1-2": (
        Result.LARGELY_COMPLIANT,
        "8",
        "2023年度召开两次互助保障工作汇报会，会议记录待分管领导补签字。",
    ),
    "3-5": (Result.LARGELY_COMPLIANT, "9", "个别理赔材料归档不及时，已安排专人补齐。"),
}
HUAIROU_SELF = {
    "1-5": (Result.LARGELY_COMPLIANT, "8", "2023年上半年开展过一次自查，下半年尚未开展。"),
}

# standard code -> (result, points, finding, rectification)
CHAOYANG_FINDINGS = {
    "1-2": (
        Result.NON_COMPLIANT,
        "4",
        "2023年度仅有两次工作汇报的会议记录，且均无分管领导签字，无法证明定期听取互助保障工作汇报。",
        "建立季度汇报制度，会议记录须由分管领导签字确认；2024年3月底前将整改情况报送办事处。",
    ),
    "2-3": (
        Result.LARGELY_COMPLIANT,
        "7",
        "内部报案登记簿缺少2023年3月至5月的记录，与业务系统中的理赔笔数不一致。",
        "补登缺失记录，并每月与业务系统核对一次。",
    ),
    "2-7": (
        Result.LARGELY_COMPLIANT,
        "8",
        "全年组织业务培训3次，少于不少于4次的要求。",
        "制定2024年培训计划，每季度至少组织一次培训，并以工作信息形式报送办事处。",
    ),
    "3-5": (
        Result.NON_COMPLIANT,
        "5",
        "抽查管理费支出凭证12笔，其中3笔缺少审批手续；新购笔记本电脑未登记固定资产台账。",
        "补齐审批手续，更新固定资产台账，并完善管理费使用审批制度。",
    ),
}
# what 朝阳 answered for the two findings it has rectified in the sample
RECTIFIED = {
    "1-2": "已建立季度工作汇报制度，2024年第一季度汇报会议记录已由分管领导签字确认。",
    "2-3": "已补登2023年3月至5月的报案记录共27笔，并建立每月与业务系统核对的制度。",
}
# The 2022 cycle of the sample: agency code -> findings (standard code -> result, points,
# finding, requirement) and the items still open in 2023 (the rest were closed).
DEMO_2022 = {
    "004": {
        "1-2": (Result.NON_COMPLIANT, "3", "全年无工作汇报会议记录。", "建立定期汇报制度。"),
        "3-8": (
            Result.LARGELY_COMPLIANT,
            "8",
            "预算执行分析未按季度开展。",
            "按季度分析预算执行情况。",
        ),
    },
    "007": {
        "1-5": (
            Result.LARGELY_COMPLIANT,
            "7",
            "自查制度已制定，但全年仅开展一次自查。",
            "每半年至少开展一次自查，并留存记录。",
        ),
        "3-2": (
            Result.NON_COMPLIANT,
            "4",
            "2022年会计核算未完全按照《代办处会计核算办法（暂行）》设置科目。",
            "按核算办法调整会计科目，2023年起执行。",
        ),
        "2-5": (
            Result.LARGELY_COMPLIANT,
            "8",
            "业务档案未按年度分类装订。",
            "按年度分类整理装订档案。",
        ),
    },
}
DEMO_2022_OPEN = {"007": ["3-2", "2-5"]}
# 问题库: the type each sample finding is tagged with (standard code -> type name); 朝阳's
# 1-2 is found again in 2023 (屡查屡犯 2022), 怀柔's 2022 problems are left untagged
TAGGED = {
    "1-2": "会议及研究记录不全",
    "2-3": "理赔资料不全",
    "2-7": "宣传培训不足",
    "3-5": "审批手续不全",
    "3-8": "资金管理不规范",
}
DEMO_2022_OTHERS = 4  # more agencies finalized in 2022, for the year-over-year figures

CHAOYANG_FILES = {
    1: ["管理制度汇编（2023年版）.pdf", "内部控制制度.pdf"],
    3: ["2022年度财务情况说明.pdf"],
    4: ["2022年总账及明细账.pdf"],
    10: ["业务系统用户名备案表.pdf"],
}


def _sample_pdf(title: str) -> bytes:
    return pdf.html_to_pdf(
        f'<html lang="zh-CN"><body style="font-family: Noto Serif CJK SC"><h1>{title}</h1>'
        "<p>（演示文件）</p></body></html>"
    )


class Command(BaseCommand):
    help = "Create a realistic sample: 朝阳 finalized with an issued report, 怀柔 partly scored. DEBUG only."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("演示数据只用于开发环境：DEBUG 未开启，拒绝创建。")
        chaoyang = Audit.objects.select_related("cycle", "agency").get(
            cycle__year=2023, agency__code="004"
        )
        if (
            chaoyang.status != AuditStatus.NOT_STARTED
            or EvidenceFile.objects.filter(request__audit=chaoyang).exists()
        ):
            self.stdout.write("演示数据已存在（或朝阳的稽核已开始），未做改动。")
            return
        users = {
            u.username: u
            for u in User.objects.filter(
                username__in=["auditor1", "manager", "agency004", "agency007"]
            )
        }
        if len(users) < 4:
            raise CommandError("请先运行 create_demo_accounts。")
        with transaction.atomic():
            problem_types.load()
            self.types = {
                code: ProblemType.objects.get(name=name, parent__isnull=False).pk
                for code, name in TAGGED.items()
            }
            self._previous_year(chaoyang.cycle, users)
            self._chaoyang(chaoyang, users)
            self._huairou(users)
            self._dongcheng(users)
        self.stdout.write(
            self.style.SUCCESS(
                "已创建演示数据：2022 年度（演示）已定稿 6 个代办处，怀柔有 2 个上年问题未销号；"
                "2023 年度朝阳（004）已签收稽核通知书、已定稿并出具报告，四个整改项分别为已销号、已提交、"
                "逾期和待整改，征求意见稿的两项异议一项部分采纳、一项不采纳；怀柔（007）部分评分，稽核通知书待签收；"
                "东城（026）已复核，征求意见稿待反馈。"
            )
        )

    def _previous_year(self, cycle, users):
        """A 2022 cycle as 2023 was started from it: the same roster and checklist, the
        document titles a year earlier; six agencies finalized with issued reports, two of
        怀柔's problems still open, so that 2023 shows last year's report attached, carried
        problems and year-over-year figures."""
        if cycle.previous_id is not None or Cycle.objects.filter(year=cycle.year - 1).exists():
            return
        previous = Cycle.objects.create(
            year=cycle.year - 1,
            title=f"{cycle.year - 1}年度稽核（演示数据）",
            rectification_days=cycle.rectification_days,
            report_number_format=cycle.report_number_format,
            # before the portal had the 征求意见稿 step: its reports were issued directly
            draft_step=False,
        )
        for category in cycle.categories.order_by("position"):
            old = Category.objects.create(
                cycle=previous, position=category.position, name=category.name
            )
            for standard in category.standards.order_by("number"):
                standard.previous = Standard.objects.create(
                    category=old,
                    number=standard.number,
                    text=standard.text,
                    max_points=standard.max_points,
                    is_veto=standard.is_veto,
                    applies_to=standard.applies_to,
                )
                standard.save(update_fields=["previous"])
        for document in cycle.required_documents.order_by("number"):
            RequiredDocument.objects.create(
                cycle=previous,
                number=document.number,
                title=shift_years(document.title, -1),
                is_previous_report=document.is_previous_report,
            )
        audits = {}
        for audit in cycle.audits.select_related("agency").order_by("serial"):
            audits[audit.agency.code] = Audit.objects.create(
                cycle=previous, agency=audit.agency, serial=audit.serial
            )
        others = [code for code in audits if code not in DEMO_2022][:DEMO_2022_OTHERS]
        findings = dict(DEMO_2022)
        for index, code in enumerate(others):
            standards = ["1-3", "2-2", "3-4", "2-9"][: index + 1]
            findings[code] = {
                s: (Result.LARGELY_COMPLIANT, "6", "演示：该项工作不够规范。", "按标准整改。")
                for s in standards
            }
        auditor, manager = users["auditor1"], users["manager"]
        for code, found in findings.items():
            audit = Audit.objects.select_related("cycle", "agency").get(pk=audits[code].pk)
            audit.auditors.add(auditor)
            for standard in scoring.applicable_standards(audit):
                result, points, finding, requirement = found.get(
                    standard.code, (Result.COMPLIANT, None, "", "")
                )
                scoring.save_assessment(
                    audit=audit,
                    standard=standard,
                    by=auditor,
                    expected_version=0,
                    entry=scoring.Entry(
                        result=result,
                        points=points,
                        finding=finding,
                        rectification=requirement,
                        problem_type=self.types.get(standard.code) if code == "004" else None,
                    ),
                )
            scoring.submit_audit(audit=audit, by=auditor)
            reports.finalize_and_issue(audit=audit, by=manager)
            still_open = DEMO_2022_OPEN.get(code, [])
            for item in audit.rectification_items.in_order():
                if item.standard.code in still_open:
                    continue
                item.status, item.measures = ItemStatus.CLOSED, "已按整改要求完成整改。"
                item.closed_at, item.closed_by = timezone.now(), auditor
                item.version += 1
                item.save(update_fields=["status", "measures", "closed_at", "closed_by", "version"])
                ItemEvent.objects.create(
                    item=item,
                    action=ItemEvent.Action.CLOSED,
                    actor=auditor,
                    comment="演示数据：已核实销号",
                    changes={"status": ["pending", "closed"]},
                )
        # 怀柔's 3-2 as it looks when its deadline passed long ago
        late = audits["007"].rectification_items.get(
            standard__category__position=3, standard__number=2
        )
        late.deadline = date(cycle.year, 1, 31)
        late.save(update_fields=["deadline"])
        cycle.previous = previous
        cycle.save(update_fields=["previous"])
        reports.attach_previous_reports(cycle)
        # 稽核档案: the five whose rectification is closed are archived; 怀柔's is held back
        # until its two open problems are closed (the cycle's setting)
        circular = pdf.circular_pdf(data.circular(previous))
        for archive in archiving.request_cycle(cycle=previous, by=manager):
            archiving.build(archive, circular=circular)

    def _notice(self, audit, users, *, onsite=None, signed_by=None):
        """The audit's 稽核通知书, led by the demo auditor; signed for by ``signed_by``."""
        if onsite:
            audit.onsite_start, audit.onsite_end = onsite
        audit.team_leader = users["auditor1"]
        audit.save(update_fields=["onsite_start", "onsite_end", "team_leader"])
        terms = notices.NoticeTerms.from_cycle(audit.cycle)
        terms = notices.NoticeTerms(
            audit_period=terms.audit_period,
            contact_name=users["manager"].display_name,
            contact_phone="010-65001234",
            preparation=terms.preparation,
        )
        notices.issue_notice(audit=audit, by=users["manager"], terms=terms)
        if signed_by is not None:
            notices.sign_for_notice(audit=audit, by=signed_by)

    def _chaoyang(self, audit, users):
        auditor = users["auditor1"]
        audit.auditors.add(auditor)
        year = audit.cycle.year + 1
        self._notice(
            audit,
            users,
            onsite=(date(year, 3, 5), date(year, 3, 7)),
            signed_by=users["agency004"],
        )
        for number, names in CHAOYANG_FILES.items():
            document = RequiredDocument.objects.get(cycle=audit.cycle, number=number)
            for name in names:
                documents.store_bytes(
                    audit=audit,
                    document=document,
                    name=name,
                    content=_sample_pdf(name.rsplit(".", 1)[0]),
                    by=users["agency004"],
                )
        documents.accept_documents(
            audit=audit,
            documents=RequiredDocument.objects.filter(cycle=audit.cycle, number__in=[1, 3, 4]),
            by=auditor,
        )
        document = RequiredDocument.objects.get(cycle=audit.cycle, number=10)
        documents.return_document(
            audit=audit,
            document=document,
            by=auditor,
            reason="备案表缺少经办人签字，请补充后重新上传。",
        )
        self._self_assessment(audit, users["agency004"], CHAOYANG_SELF, submit=True)
        for standard in scoring.applicable_standards(audit):
            if standard.code in CHAOYANG_FINDINGS:
                result, points, finding, rectification = CHAOYANG_FINDINGS[standard.code]
                entry = scoring.Entry(
                    result=result,
                    points=points,
                    finding=finding,
                    rectification=rectification,
                    problem_type=self.types.get(standard.code),
                )
            else:
                entry = scoring.Entry(result=Result.COMPLIANT)
            scoring.save_assessment(
                audit=audit, standard=standard, by=auditor, expected_version=0, entry=entry
            )
        scoring.submit_audit(audit=audit, by=auditor)
        self._consultation(audit, users)
        reports.finalize_and_issue(audit=audit, by=users["manager"])
        self._rectification(audit, users)

    def _consultation(self, audit, users):
        """征求意见稿 sent, 朝阳's written reply (objections to 2-3 and 2-7), one adopted in
        part (2-3's points and finding changed, recorded as 征求意见) and one not."""
        audit.cycle.draft_step = True
        audit.cycle.save(update_fields=["draft_step"])
        draft = reports.send_draft(audit=audit, by=users["manager"])
        problems = {p.standard.code: p for p in draft.problems.select_related("standard__category")}
        objections = {
            "2-3": "2023年3月至5月的报案记录登记在纸质登记簿副本中，5月的记录已扫描附后。",
            "2-7": "除3次集中培训外，另于11月以视频会议形式组织了1次业务培训。",
        }
        drafts.save_reply(
            draft=draft,
            by=users["agency004"],
            opinion="对稽核发现的问题总体认同，将按要求整改；对两项问题的说明见各项意见。",
            lines=[
                drafts.ProblemReply(
                    problem.pk,
                    Opinion.OBJECTS if code in objections else Opinion.AGREES,
                    objections.get(code, ""),
                )
                for code, problem in problems.items()
            ],
            submit=True,
        )
        standard = problems["2-3"].standard
        assessment = audit.assessments.get(standard=standard)
        drafts.answer_objection(
            problem=problems["2-3"],
            by=users["auditor1"],
            decision=Decision.PARTLY,
            reason="5月的记录经核对属实，予以采纳；3月至4月的记录仍缺失。",
            entry=scoring.Entry(
                result=Result.LARGELY_COMPLIANT,
                points="8",
                finding="内部报案登记簿缺少2023年3月至4月的记录，与业务系统中的理赔笔数不一致。",
                rectification=CHAOYANG_FINDINGS["2-3"][3],
            ),
            expected_version=assessment.version,
        )
        drafts.answer_objection(
            problem=problems["2-7"],
            by=users["auditor1"],
            decision=Decision.REJECTED,
            reason="视频会议无签到记录和培训课件，不能认定为业务培训。",
        )

    def _dongcheng(self, users):
        """东城 (026): scored and under review, its 征求意见稿 waiting for the reply."""
        audit = Audit.objects.select_related("cycle", "agency").get(
            cycle__year=2023, agency__code="026"
        )
        auditor = users["auditor1"]
        audit.auditors.add(auditor)
        for standard in scoring.applicable_standards(audit):
            entry = scoring.Entry(result=Result.COMPLIANT)
            if standard.code == "1-3":
                entry = scoring.Entry(
                    result=Result.LARGELY_COMPLIANT,
                    points="8",
                    finding="代办处工作计划未经集体研究，缺少会议记录。",
                    rectification="工作计划须经集体研究并留存会议记录。",
                )
            scoring.save_assessment(
                audit=audit, standard=standard, by=auditor, expected_version=0, entry=entry
            )
        scoring.submit_audit(audit=audit, by=auditor)
        reports.send_draft(audit=audit, by=users["manager"])

    def _self_assessment(self, audit, staff, shortfalls, *, submit, only=None):
        """自查自评: 符合 except ``shortfalls`` (code -> result, points, 自查情况), the first
        uploaded file cited for them; submitted or left as a draft."""
        cited = [f.pk for f in EvidenceFile.objects.filter(audit=audit).order_by("pk")[:1]]
        for standard in scoring.applicable_standards(audit)[:only]:
            result, points, explanation = shortfalls.get(standard.code, (Result.COMPLIANT, "", ""))
            self_assessment.save_entry(
                audit=audit,
                standard=standard,
                by=staff,
                expected_version=0,
                entry=self_assessment.Entry(
                    result=result,
                    points=points,
                    explanation=explanation,
                    file_ids=cited if standard.code in shortfalls else [],
                ),
            )
        if submit:
            self_assessment.submit(audit=audit, by=staff)

    def _rectification(self, audit, users):
        """The four findings at the four stages of the loop: 1-2 closed (销号), 2-3 submitted
        and waiting for verification, 2-7 overdue, 3-5 still to rectify."""
        items = {item.standard.code: item for item in audit.rectification_items.in_order()}
        staff, auditor = users["agency004"], users["auditor1"]
        today = timezone.localdate()
        for code, measures in RECTIFIED.items():
            rectification.answer_item(
                item=items[code],
                by=staff,
                answer=rectification.Answer(measures, "朝阳代办处主任 刘明", today),
                expected_version=items[code].version,
                submit=True,
            )
        rectification.close_items(audit=audit, items=[items["1-2"].pk], by=auditor)
        # The sample was finalized today; its 2-7 item is shown as it looks once the
        # deadline has passed with no answer.
        late = items["2-7"]
        previous = late.deadline
        late.deadline = today - timedelta(days=3)
        late.version += 1
        late.save(update_fields=["deadline", "version"])
        ItemEvent.objects.create(
            item=late,
            action=ItemEvent.Action.DEADLINE,
            actor=users["manager"],
            comment="演示数据：整改期限已过",
            changes={"deadline": [previous.isoformat(), late.deadline.isoformat()]},
        )

    def _huairou(self, users):
        audit = Audit.objects.select_related("cycle", "agency").get(
            cycle__year=2023, agency__code="007"
        )
        auditor = users["auditor1"]
        audit.auditors.add(auditor)
        # issued, not signed for yet: on 怀柔's 工作台 and the manager's
        self._notice(audit, users)
        for standard in scoring.applicable_standards(audit)[:10]:
            entry = scoring.Entry(result=Result.COMPLIANT)
            if standard.code == "1-5":
                entry = scoring.Entry(
                    result=Result.LARGELY_COMPLIANT,
                    points="8",
                    finding="自查机制已建立，但2023年下半年未开展自查。",
                    rectification="按季度开展自查并留存记录。",
                )
            scoring.save_assessment(
                audit=audit, standard=standard, by=auditor, expected_version=0, entry=entry
            )
        document = RequiredDocument.objects.get(cycle=audit.cycle, number=1)
        documents.store_bytes(
            audit=audit,
            document=document,
            name="怀柔代办处管理制度.pdf",
            content=_sample_pdf("怀柔代办处管理制度"),
            by=users["agency007"],
        )
        # a self-assessment begun and not submitted yet
        self._self_assessment(audit, users["agency007"], HUAIROU_SELF, submit=False, only=6)
