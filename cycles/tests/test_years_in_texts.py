"""Standards and documents that name a year: the preview asks for each whether its years
move on, it keeps last year's text, or it is left out; the choices are recorded."""

import pytest

from agencies.models import Cycle
from checklist.models import Standard
from security.models import Kind, SecurityEvent

from .helpers import form_data, next_cycle

URL = "/cycles/new/"


def _standard(code: str, year: int = 2023) -> Standard:
    position, number = code.split("-")
    return Standard.objects.get(
        category__cycle__year=year, category__position=position, number=number
    )


def _fingerprint(page: str) -> str:
    return page.split('name="previewed" value="')[1].split('"')[0]


def test_the_preview_lists_every_text_naming_a_year_with_the_year_moved_on(client_for, cycle):
    page = client_for("manager").post(URL, form_data() | {"action": "preview"}).content.decode()
    section = page.split('data-testid="year-choices"')[1].split("</section>")[0]
    field = f"year_standard_{_standard('3-2').pk}"
    # 3-2 and documents 3 and 4 name a year; nothing else does
    assert section.count("<fieldset") == 3
    assert f'data-testid="{field}"' in section
    assert 'data-testid="year_document_3"' in section and 'data-testid="year_document_4"' in section
    assert f'name="{field}" value="move" checked' in section
    assert (
        "2024 年度：按照《中国职工保险互助会北京办事处代办处会计核算办法（暂行）》的规定进行核算。2024年会计核算是否按新制度变更。"
        in section
    )
    assert "2024 年度：2023年总账" in section


def test_keep_and_leave_out_are_carried_out_and_recorded(client_for, cycle):
    client = client_for("manager")
    field = f"year_standard_{_standard('3-2').pk}"
    choices = {field: "keep", "year_document_4": "drop"}
    page = client.post(URL, form_data(**choices) | {"action": "preview"}).content.decode()
    assert f'name="{field}" value="keep" checked' in page
    assert 'name="year_document_4" value="drop" checked' in page
    assert "2024 年度不再使用。" in page
    assert "资料 4 不再要求" in page  # among the differences

    data = form_data(**choices) | {"action": "create", "previewed": _fingerprint(page)}
    assert client.post(URL, data).status_code == 302
    new = Cycle.objects.get(year=2024)
    assert _standard("3-2", 2024).text == _standard("3-2").text  # 2023 as written
    titles = list(new.required_documents.values_list("number", "title"))
    assert len(titles) == 9 and not any("总账" in title for _n, title in titles)
    assert titles[2] == (3, cycle.required_documents.get(number=3).title.replace("2022", "2023"))
    detail = SecurityEvent.objects.get(kind=Kind.CYCLE_CREATED).detail.splitlines()
    assert detail[0] == "标准 3-2：保持原文"
    assert detail[1].startswith("资料 3：年份顺延（代办处（经办机构）需准备2022年度")
    assert "→ 代办处（经办机构）需准备2023年度" in detail[1]
    assert detail[2] == "资料 4：不再使用"


def test_a_document_kept_as_written_keeps_last_years_title(cycle, manager):
    new = next_cycle(manager, year_document_3="keep")
    kept = new.required_documents.get(number=3).title
    assert kept == cycle.required_documents.get(number=3).title and "2022年度" in kept


def test_a_standard_left_out_moves_the_later_ones_up(client_for, cycle, manager):
    old = {code: _standard(code) for code in ("3-1", "3-2", "3-3")}
    page = (
        client_for("manager")
        .post(URL, form_data(**{f"year_standard_{old['3-2'].pk}": "drop"}) | {"action": "preview"})
        .content.decode()
    )
    assert "标准 3-2 不再使用" in page and "28 条标准 (其中 1 项不再要求)" in page
    next_cycle(manager, **{f"year_standard_{old['3-2'].pk}": "drop"})
    new = list(Standard.objects.for_cycle(Cycle.objects.get(year=2024)))
    assert len(new) == 28
    assert _standard("3-1", 2024).previous == old["3-1"]
    assert _standard("3-2", 2024).previous == old["3-3"]  # moved up one number
    assert not any(s.previous == old["3-2"] for s in new)
    category_3 = [s.number for s in new if s.category.position == 3]
    assert category_3 == list(range(1, len(category_3) + 1))


def test_a_category_cannot_lose_every_standard(client_for, cycle):
    category_1 = list(Standard.objects.filter(category__cycle=cycle, category__position=1))
    for standard in category_1:
        standard.text = f"2023年{standard.text}"
        standard.save()
    drops = {f"year_standard_{s.pk}": "drop" for s in category_1}
    response = client_for("manager").post(URL, form_data(**drops) | {"action": "preview"})
    page = response.content.decode()
    assert response.status_code == 422
    assert page.count("请至少保留「组织机构管理」的一项标准。") == 1  # once, not per standard
    assert page.count('value="drop"') == len(category_1)  # the choices are kept
    assert not Cycle.objects.filter(year=2024).exists()


def test_a_choice_changed_after_the_preview_only_previews_again(client_for, cycle):
    client = client_for("manager")
    page = client.post(URL, form_data() | {"action": "preview"}).content.decode()
    changed = form_data(year_document_3="keep") | {
        "action": "create",
        "previewed": _fingerprint(page),
    }
    response = client.post(URL, changed)
    assert response.status_code == 200 and not Cycle.objects.filter(year=2024).exists()
    assert "预览后内容有改动" in response.content.decode()


@pytest.mark.parametrize("value", ["", "move", "bogus"])
def test_no_choice_or_an_unknown_one_moves_the_year(client_for, cycle, value):
    response = client_for("manager").post(
        URL, form_data(year_document_3=value) | {"action": "preview"}
    )
    page = response.content.decode()
    if value == "bogus":
        assert response.status_code == 422 and "选择一个有效的选项" in page
    else:
        assert response.status_code == 200 and 'name="year_document_3" value="move" checked' in page
