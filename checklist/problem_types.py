"""A starting 问题库 for an office that has none: problem types under the checklist's three
areas, each with the words that suggest it and a typical wording or two. An administrator
loads it once (`manage.py load_problem_types`) and then keeps the tree in the
administration pages or by Excel; loading again adds only what is missing."""

from django.db import transaction

from .models import ProblemType, Wording

# (top-level type, [(type, keywords, [finding wordings], [rectification wordings])])
STARTER = [
    (
        "组织建设",
        [
            (
                "制度缺失或未更新",
                "制度、办法、规章、自查机制",
                ["未建立互助保障工作管理办法或相关制度未及时修订。"],
                ["制定并完善互助保障工作管理制度，经集体研究后印发执行。"],
            ),
            (
                "会议及研究记录不全",
                "会议、记录、汇报、研究、部署、议事日程",
                ["分管领导听取工作汇报及研究部署工作无会议记录或记录不完整。"],
                ["定期研究部署互助保障工作，做好会议记录并归档备查。"],
            ),
            (
                "人员变更未报或无交接",
                "变更、交接、经办人员、登录、用户名、备案",
                ["经办人员变更未及时上报，或人员变化无交接记录。"],
                ["人员变更及时报送办事处，并补齐交接记录。"],
            ),
            (
                "文件未装订保存",
                "文件、装订、保存、成册",
                ["上级文件未按年度、类别装订成册保存。"],
                ["将全总、市总及办事处文件按年度、类别整理装订并妥善保存。"],
            ),
        ],
    ),
    (
        "业务管理",
        [
            (
                "业务流程不规范",
                "投保、续转、调入、调出、流程、滞留",
                ["投保、续转或会员调入调出流程不规范。"],
                ["严格按业务规程办理投保、续转及会员调入调出，并完成长期滞留会员清理。"],
            ),
            (
                "理赔资料不全",
                "理赔、报案、登记、资料",
                ["理赔资料不齐全，内部报案登记不完整。"],
                ["建立并规范内部报案登记，补齐理赔资料，确保真实、齐全。"],
            ),
            (
                "业务档案管理不规范",
                "档案、专人、分类、数字化",
                ["业务档案未指定专人管理或未分类妥善保存。"],
                ["明确业务档案管理责任人，按类别整理保存业务档案。"],
            ),
            (
                "宣传培训不足",
                "宣传、培训、投稿、公众平台、知晓",
                ["全年业务培训或宣传投稿次数未达到要求。"],
                ["制定年度培训和宣传计划，按要求完成培训次数及投稿篇数。"],
            ),
        ],
    ),
    (
        "财务管理",
        [
            (
                "审批手续不全",
                "审批、签字、授权、报销、手续",
                ["部分支出凭证缺少审批签字，审批手续不完整。"],
                ["完善支出审批流程，补齐审批签字，今后严格按审批权限办理。"],
            ),
            (
                "会计核算不规范",
                "会计、核算、科目、凭证、账簿、制度变更",
                ["会计核算科目使用不规范，未按新制度进行核算。"],
                ["按现行会计制度调整会计科目，规范会计核算。"],
            ),
            (
                "资金管理不规范",
                "资金、现金、银行、对账、手续费",
                ["资金往来未按规定及时对账，手续费核算不准确。"],
                ["定期对账，规范资金及手续费管理，确保资金准确无误。"],
            ),
        ],
    ),
]


@transaction.atomic
def load() -> tuple[int, int]:
    """Add the starting types and wordings that are missing; (types, wordings) added."""
    types = wordings = 0
    for top_position, (top_name, children) in enumerate(STARTER, start=1):
        top, created = ProblemType.objects.get_or_create(
            parent=None, name=top_name, defaults={"position": top_position}
        )
        types += created
        for position, (name, keywords, findings, requirements) in enumerate(children, start=1):
            leaf, created = ProblemType.objects.get_or_create(
                parent=top, name=name, defaults={"position": position, "keywords": keywords}
            )
            types += created
            for kind, texts in (
                (Wording.Kind.FINDING, findings),
                (Wording.Kind.RECTIFICATION, requirements),
            ):
                for n, text in enumerate(texts, start=1):
                    _wording, created = Wording.objects.get_or_create(
                        problem_type=leaf, kind=kind, text=text, defaults={"position": n}
                    )
                    wordings += created
    return types, wordings
