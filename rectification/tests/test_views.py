"""The rectification pages as each person uses them: what they show, what a post does, and
that bad input gets a Chinese message without losing what was typed."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ..models import ItemStatus
from .helpers import finalized, item_of

TODAY = timezone.localdate


@pytest.fixture
def audit(manager, assigned):
    audit = finalized("004", manager)
    audit.auditors.add(assigned)
    return audit


def url(item=None, step=""):
    base = "/cycles/2023/agencies/004/rectification/"
    return f"{base}{item.pk}/{step}" if item else f"{base}{step}"


def post_answer(client, item, *, action="submit", version=None, **fields):
    data = {
        "measures": "建立季度汇报制度，已召开两次汇报会",
        "responsible": "王五",
        "completed_on": TODAY().isoformat(),
        "version": item.version if version is None else version,
        "action": action,
    } | fields
    return client.post(url(item, "answer/"), data)


def test_staff_see_their_items_with_deadline_and_status(client_for, audit):
    page = client_for("staff004").get(url()).content.decode()
    assert "整改：朝阳" in page
    for code in ("1-2", "2-3", "3-5"):
        assert f'data-testid="status-{code}">待整改<' in page
    assert "共 3 项，已销号 0 项（0%）" in page
    assert "销号" in page and 'name="items"' not in page  # no verification controls


def test_staff_submit_an_answer_and_the_office_sees_it(client_for, audit):
    item = item_of(audit, "1-2")
    staff = client_for("staff004")
    response = post_answer(staff, item)
    assert response.status_code == 302
    page = staff.get(response["Location"]).content.decode()
    assert "整改情况已提交，办事处将进行核验。" in page
    assert 'data-testid="item-status">已提交<' in page
    office = client_for("assigned").get(url(item)).content.decode()
    assert "建立季度汇报制度，已召开两次汇报会" in office and "核验通过，销号" in office


def test_a_draft_keeps_the_item_open(client_for, audit):
    item = item_of(audit, "1-2")
    response = post_answer(client_for("staff004"), item, action="save", responsible="")
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.measures) == (
        ItemStatus.PENDING,
        "建立季度汇报制度，已召开两次汇报会",
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"measures": ""}, "请先填写整改措施，再提交。"),
        ({"completed_on": "2023-02-30"}, "有效"),  # Django's own "输入一个有效的日期。"
        ({"completed_on": (TODAY() + timedelta(days=3)).isoformat()}, "完成时间不能晚于今天"),
        ({"responsible": "王" * 51}, "50"),
    ],
)
def test_a_refused_answer_is_explained_and_keeps_what_was_typed(client_for, audit, fields, message):
    item = item_of(audit, "1-2")
    response = post_answer(client_for("staff004"), item, **({"measures": "我写的措施"} | fields))
    assert response.status_code == 422
    page = response.content.decode()
    assert message in page
    if "measures" not in fields:
        assert "我写的措施" in page
    item.refresh_from_db()
    assert item.version == 1


def test_a_stale_page_keeps_the_text_and_saves_on_the_second_try(client_for, audit):
    item = item_of(audit, "1-2")
    staff = client_for("staff004")
    post_answer(staff, item, action="save", measures="第一次")
    response = post_answer(staff, item, action="save", version=1, measures="第二个窗口")
    assert response.status_code == 409
    page = response.content.decode()
    assert "此项已被他人修改" in page and "第二个窗口" in page
    assert 'name="version" value="2"' in page
    assert (
        post_answer(staff, item, action="save", version=2, measures="第二个窗口").status_code == 302
    )
    item.refresh_from_db()
    assert item.measures == "第二个窗口"


def test_a_closed_item_cannot_be_edited(client_for, audit):
    item = item_of(audit, "1-2")
    post_answer(client_for("staff004"), item)
    client_for("manager").post(url(step="batch/"), {"action": "close", "items": [item.pk]})
    item.refresh_from_db()
    assert item.status == ItemStatus.CLOSED
    response = post_answer(client_for("staff004"), item, measures="改一改")
    assert response.status_code == 422
    assert "不能再修改" in response.content.decode()
    item.refresh_from_db()
    assert item.measures == "建立季度汇报制度，已召开两次汇报会"


def test_the_office_returns_with_a_reason_the_agency_reads(client_for, audit):
    item = item_of(audit, "1-2")
    post_answer(client_for("staff004"), item)
    item.refresh_from_db()
    assistant = client_for("assigned")
    empty = assistant.post(
        url(item, "return/"), {"reason": "", "version": item.version}, follow=True
    )
    assert "请说明退回原因" in empty.content.decode()
    assistant.post(url(item, "return/"), {"reason": "缺会议记录", "version": item.version})
    page = client_for("staff004").get(url(item)).content.decode()
    assert "办事处退回：" in page and "缺会议记录" in page and "提交核验" in page


def test_several_items_close_from_the_list(client_for, audit):
    first, second = item_of(audit, "1-2"), item_of(audit, "2-3")
    for item in (first, second):
        post_answer(client_for("staff004"), item)
    page = client_for("assigned").post(
        url(step="batch/"), {"action": "close", "items": [first.pk, second.pk]}, follow=True
    )
    assert "已销号 2 项。" in page.content.decode()
    assert "共 3 项，已销号 2 项（67%）" in page.content.decode()


def test_closing_nothing_ticked_says_so(client_for, audit):
    page = client_for("manager").post(url(step="batch/"), {"action": "close"}, follow=True)
    assert "请勾选要销号的已提交项。" in page.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"deadline": "", "reason": "延期"}, "请填写新的整改期限。"),
        ({"deadline": "2023-13-01", "reason": "延期"}, "有效"),
        ({"deadline": "2020-01-01", "reason": "延期"}, "新的整改期限不能早于今天。"),
        ({"deadline": "2099-01-01", "reason": ""}, "请填写调整期限的原因"),
    ],
)
def test_a_refused_deadline_change_is_explained(client_for, audit, data, message):
    item = item_of(audit, "1-2")
    page = client_for("manager").post(
        url(step="batch/"), {"action": "deadline", "items": [item.pk], **data}, follow=True
    )
    assert message in page.content.decode()
    assert item_of(audit, "1-2").deadline == item.deadline


def test_a_manager_moves_one_items_deadline_from_its_page(client_for, audit):
    item = item_of(audit, "1-2")
    new = TODAY() + timedelta(days=90)
    response = client_for("manager").post(
        url(step="batch/"),
        {
            "action": "deadline",
            "items": [item.pk],
            "back": item.pk,
            "deadline": new.isoformat(),
            "reason": "汛期",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == url(item)
    page = response.content.decode()
    assert f'data-testid="item-deadline">{new.isoformat()}<' in page
    assert "调整整改期限：" in page and "汛期" in page


def test_overdue_items_are_marked_for_both_sides(client_for, audit):
    from ..models import RectificationItem

    RectificationItem.objects.filter(pk=item_of(audit, "2-3").pk).update(
        deadline=TODAY() - timedelta(days=1)
    )
    for persona in ("staff004", "manager"):
        page = client_for(persona).get(url()).content.decode()
        assert page.count(">逾期<") == 1 and "逾期 1 项" in page


def test_the_agency_page_shows_rectification_progress(client_for, audit):
    page = client_for("staff004").get("/cycles/2023/agencies/004/").content.decode()
    assert "共 3 项，已销号 0 项" in page and "填报整改情况" in page


def test_before_finalization_the_page_says_when_items_come(client_for):
    page = client_for("staff004").get(url()).content.decode()
    assert "稽核定稿时生成整改项" in page


def test_the_list_takes_the_same_queries_for_3_or_30_items(client_for, audit, manager):
    from checklist.models import Standard

    from ..models import RectificationItem

    client = client_for("manager")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url()).status_code == 200
        return len(captured)

    few = queries()
    template = item_of(audit, "1-2")
    RectificationItem.objects.bulk_create(
        RectificationItem(
            audit=audit,
            standard=standard,
            result="largely",
            finding="f",
            requirement="r",
            deadline=template.deadline,
        )
        for standard in Standard.objects.filter(category__cycle=audit.cycle).exclude(
            pk__in=RectificationItem.objects.values("standard_id")
        )
    )
    assert RectificationItem.objects.count() > 20
    assert queries() == few


def test_asking_for_more_time_shows_on_the_list_and_a_manager_decides(client_for, audit):
    item = item_of(audit, "3-5")
    staff = client_for("staff004")
    proposed = (item.deadline + timedelta(days=20)).isoformat()
    refused = staff.post(url(item, "extension/"), {"proposed_deadline": proposed, "reason": ""})
    assert refused.status_code == 422
    page = refused.content.decode()
    assert "请说明延期原因" in page and f'value="{proposed}"' in page
    staff.post(url(item, "extension/"), {"proposed_deadline": proposed, "reason": "财务人员调整"})
    listing = client_for("manager").get(url()).content.decode()
    assert 'data-testid="extension-3-5">延期申请中<' in listing
    page = (
        client_for("manager")
        .post(url(item, "extension/decide/"), {"decision": "grant", "answer": ""}, follow=True)
        .content.decode()
    )
    assert "已同意延期，整改期限已调整。" in page
    assert f'data-testid="item-deadline">{proposed}<' in page


def test_a_garbled_proposed_date_is_explained(client_for, audit):
    item = item_of(audit, "3-5")
    response = client_for("staff004").post(
        url(item, "extension/"), {"proposed_deadline": "2024-02-30", "reason": "x"}
    )
    assert response.status_code == 422
    assert "有效" in response.content.decode()


def test_the_cycle_overview_shows_each_agencys_rectification(client_for, audit):
    from ..models import RectificationItem

    RectificationItem.objects.filter(pk=item_of(audit, "2-3").pk).update(
        deadline=TODAY() - timedelta(days=1)
    )
    page = client_for("manager").get("/cycles/2023/").content.decode()
    cell = page.split('data-testid="rectification-004">')[1].split("</td>")[0]
    assert ">0/3</a>" in cell and "逾期 1 项" in cell
    assert 'data-testid="rectification-007"><span class="text-secondary">—' in page
