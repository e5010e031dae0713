"""The seed's reference data, exactly as the source document has it (fixtures/seed-source.txt)."""

import json
from pathlib import Path

from django.conf import settings

from agencies.models import Agency, Audit, Cycle
from checklist.models import Applicability, Category, Standard
from evidence.models import RequiredDocument

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
SOURCE = (FIXTURES / "seed-source.txt").read_text(encoding="utf-8")


def test_the_2023_cycle_exists(cycle):
    assert cycle.title == "2023年度稽核"
    assert Cycle.objects.count() == 1


def test_three_categories_in_order_with_8_11_and_10_standards(cycle):
    categories = Category.objects.filter(cycle=cycle).order_by("position")
    assert [(c.position, c.name, c.standards.count()) for c in categories] == [
        (1, "组织机构管理", 8),
        (2, "业务管理", 11),
        (3, "财务管理", 10),
    ]
    assert Standard.objects.filter(category__cycle=cycle).count() == 29


def test_standard_texts_are_exactly_as_written(cycle):
    standards = {s.code: s.text for s in Standard.objects.for_cycle(cycle)}
    assert standards["1-1"] == "代办处（经办机构）组织健全，建立互助保障工作管理办法。"
    assert standards["1-7"] == (
        "经办人员、通讯方式的变更信息要及时上报，人员变化应有交接记录；"
        "经办人员登录系统天数间隔不高于180天。"
    )
    assert standards["2-10"] == (
        "依据总会和市总相关文件精神，医疗互助、重大疾病互助、意外伤害互助“三位一体”的"
        "职工互助保障目标完成情况。"
    )
    assert standards["3-2"].endswith("2023年会计核算是否按新制度变更。")
    assert standards["3-5"].startswith("代办处（经办机构）管理费使用情况,包括管理费使用制度")
    assert standards["3-8"] == "预算执行情况完成率高"
    assert standards["3-10"] == (
        "实行代开票据的经办组织应确保开具发票的准确性；“直投”代办处（经办机构）"
        "应及时从办事处领取基层单位缴费票据并下发。"
    )


def test_every_standard_text_stands_in_the_source_in_order(cycle):
    position = 0
    for standard in Standard.objects.for_cycle(cycle):
        found = SOURCE.find(standard.text, position)
        assert found >= 0, standard.code
        position = found + len(standard.text)


def test_standards_start_equal_without_veto_and_one_is_for_indirect_agencies_only(cycle):
    standards = list(Standard.objects.for_cycle(cycle))
    assert {s.max_points for s in standards} == {Standard.DEFAULT_MAX_POINTS}
    assert not any(s.is_veto for s in standards)
    indirect = [s.code for s in standards if s.applies_to == Applicability.INDIRECT]
    assert indirect == ["3-7"]


def test_fifty_agencies_in_serial_order_with_three_character_codes(cycle):
    roster = list(Audit.objects.filter(cycle=cycle).roster())
    assert [a.serial for a in roster] == list(range(1, 51))
    assert Agency.objects.count() == 50
    assert all(len(a.agency.code) == 3 and a.agency.code.isdigit() for a in roster)
    by_serial = {a.serial: (a.agency.name, a.agency.code) for a in roster}
    # The seed prints two interleaved columns: 1 beside 26, 2 beside 27, ...
    assert by_serial[1] == ("朝阳", "004")
    assert by_serial[2] == ("怀柔", "007")
    assert by_serial[25] == ("文发集团", "069")
    assert by_serial[26] == ("房山", "075")
    assert by_serial[27] == ("首旅集团", "077")
    assert by_serial[37] == ("北京联通工会", "111")
    assert by_serial[44] == ("发行集团", "110")
    assert by_serial[45] == ("中科院", "042")
    assert by_serial[50] == ("外企", "107")


def test_serial_order_is_not_code_order(cycle):
    codes = [a.agency.code for a in Audit.objects.filter(cycle=cycle).roster()]
    assert codes != sorted(codes)
    assert Agency.objects.filter(code="042").exists()
    assert not Agency.objects.filter(code="42").exists()


def test_ten_required_documents_in_order(cycle):
    documents = list(RequiredDocument.objects.filter(cycle=cycle).order_by("number"))
    assert [d.number for d in documents] == list(range(1, 11))
    assert documents[0].title == "代办处（经办机构）管理制度及相关内控制度"
    assert documents[2].title.startswith("代办处（经办机构）需准备2022年度财务情况说明")
    assert documents[3].title == "2022年总账、明细账及现金、银行存款日记账和全年会计凭证"
    assert documents[7].title == "重要业务合同、协议复印件，管理费下拨申请、批复。"
    assert documents[9].title == "业务系统用户名变更表和业务系统用户名备案表"
    for document in documents:
        assert f"{document.number}.{document.title}" in SOURCE.replace(
            f"{document.number}. ", f"{document.number}."
        )


def test_fixture_files_keep_codes_as_strings():
    rows = json.loads((FIXTURES / "2023-cycle-and-agencies.json").read_text(encoding="utf-8"))
    codes = [row["fields"]["code"] for row in rows if row["model"] == "agencies.agency"]
    assert len(codes) == 50
    assert all(isinstance(code, str) and len(code) == 3 for code in codes)
