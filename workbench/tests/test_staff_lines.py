"""An agency's 工作台 line by line (mutation testing found these unpinned): the documents
left to upload, the self-assessment not submitted or returned, the items to answer with
their lateness judged on the day asked for, and the link to all of them."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from audit_portal.testing import persona_user
from checklist.tests.helpers import audit_of
from evidence.models import DocumentRequest, RequiredDocument
from rectification.models import RectificationItem
from rectification.tests.helpers import finalized
from selfassessment.models import SelfAssessment
from workbench import selectors

TODAY = timezone.localdate()


def _section(user, key, today=None):
    return next(s for s in selectors.sections_for(user, today) if s.key == key)


@pytest.fixture
def staff(db):
    return persona_user("staff004")


def test_documents_left_to_upload_say_how_many_link_to_the_page_and_their_deadline(staff, cycle):
    cycle.document_deadline = TODAY + timedelta(days=3)
    cycle.save()
    [line] = _section(staff, "upload").lines
    assert line.text == "2023年度稽核：有 10 项资料待上传"  # none returned: no "其中"
    assert line.url == "/cycles/2023/agencies/004/documents/"
    assert (line.due, line.late) == (TODAY + timedelta(days=3), False)
    cycle.document_deadline = TODAY - timedelta(days=1)
    cycle.save()
    assert _section(staff, "upload").lines[0].late is True
    cycle.document_deadline = None
    cycle.save()
    assert _section(staff, "upload").lines[0].late is False


def test_no_line_once_every_document_is_in(staff, cycle):
    audit = audit_of("004")
    for document in RequiredDocument.objects.filter(cycle=cycle):
        DocumentRequest.objects.create(audit=audit, document=document, status="submitted")
    assert _section(staff, "upload").lines == []


def test_a_cycle_that_asks_for_no_document_gives_no_line(staff, cycle):
    DocumentRequest.objects.filter(document__cycle=cycle).delete()
    RequiredDocument.objects.filter(cycle=cycle).delete()
    assert _section(staff, "upload").lines == []


def test_the_self_assessment_not_submitted_with_its_deadline(staff, cycle):
    cycle.self_assessment_deadline = TODAY - timedelta(days=1)
    cycle.save()
    [line] = _section(staff, "self").lines
    assert line.text == "2023年度稽核：自评尚未提交"
    assert line.url == "/cycles/2023/agencies/004/self-assessment/"
    assert (line.due, line.late) == (TODAY - timedelta(days=1), True)


def test_a_returned_self_assessment_says_why_and_has_no_deadline(staff, cycle):
    cycle.self_assessment_deadline = TODAY - timedelta(days=1)
    cycle.save()
    SelfAssessment.objects.create(
        audit=audit_of("004"), return_comment="第2类自评得分与说明不符" * 5
    )
    [line] = _section(staff, "self").lines
    assert line.text == "2023年度稽核：自评已被退回：" + ("第2类自评得分与说明不符" * 5)[:60]
    assert (line.due, line.late) == (None, False)


def test_a_submitted_self_assessment_leaves_the_other_cycles_line(staff, manager):
    from cycles.tests.helpers import next_cycle

    following = next_cycle(manager)
    SelfAssessment.objects.create(
        audit=audit_of("004", following.year), status="submitted", submitted_at=timezone.now()
    )
    assert [line.text for line in _section(staff, "self").lines] == ["2023年度稽核：自评尚未提交"]


@pytest.fixture
def many_items(manager):
    """朝阳 finalized with 21 problems: 21 items to answer, one returned."""
    audit = audit_of("004")
    from checklist.services import applicable_standards

    codes = [s.code for s in applicable_standards(audit)][:21]
    finalized("004", manager, shortfalls=codes)
    first = RectificationItem.objects.filter(audit=audit).in_order().first()
    RectificationItem.objects.filter(pk=first.pk).update(status="returned")
    return audit


def test_items_beyond_the_first_20_link_to_the_agencys_whole_list(staff, many_items):
    section = _section(staff, "rectify")
    assert (section.total, len(section.lines)) == (21, 20)
    assert section.more_url == "/cycles/2023/agencies/004/rectification/"
    returned, pending = section.lines[0], section.lines[1]
    first, second = RectificationItem.objects.filter(audit=many_items).in_order()[:2]
    code, next_code = first.standard.code, second.standard.code
    assert returned.text == f"2023 · {code} {code} 的问题（退回）"
    assert pending.text == f"2023 · {next_code} {next_code} 的问题"


def test_an_items_lateness_is_judged_on_the_day_asked_for(staff, many_items):
    deadline = RectificationItem.objects.filter(audit=many_items).first().deadline
    assert not _section(staff, "rectify", today=deadline).lines[0].late
    assert _section(staff, "rectify", today=deadline + timedelta(days=1)).lines[0].late
    # an auditor's lines too
    auditor = persona_user("auditor")
    many_items.auditors.add(auditor)
    RectificationItem.objects.filter(audit=many_items).update(status="submitted")
    later = _section(auditor, "verify", today=date(2099, 1, 1)).lines[0]
    assert later.late is False  # submitted: the agency owes nothing
    RectificationItem.objects.filter(audit=many_items).update(status="pending")
    assert _section(auditor, "overdue", today=deadline + timedelta(days=1)).lines[0].late


def test_documents_due_today_are_not_late_and_one_missing_is_a_line(staff, cycle):
    """Late starts the day after the deadline; the last document missing is still a line."""
    cycle.document_deadline = TODAY
    cycle.save()
    audit = audit_of("004")
    for document in RequiredDocument.objects.filter(cycle=cycle).exclude(number=10):
        DocumentRequest.objects.create(audit=audit, document=document, status="accepted")
    [line] = _section(staff, "upload").lines
    assert line.text == "2023年度稽核：有 1 项资料待上传"
    assert (line.due, line.late) == (TODAY, False)


def test_a_self_assessment_due_today_is_not_late(staff, cycle):
    cycle.self_assessment_deadline = TODAY
    cycle.save()
    [line] = _section(staff, "self").lines
    assert (line.due, line.late) == (TODAY, False)


def test_a_cycle_past_its_self_assessment_does_not_hide_an_earlier_ones(staff, manager):
    """2024 on site already (no self-assessment asked any more); 2023 still asks for it."""
    from agencies.models import Audit
    from cycles.tests.helpers import next_cycle

    following = next_cycle(manager)
    Audit.objects.filter(cycle=following, agency__code="004").update(status="under_review")
    assert [line.text for line in _section(staff, "self").lines] == ["2023年度稽核：自评尚未提交"]


def test_a_long_return_comment_is_cut_at_60_characters(staff, cycle):
    SelfAssessment.objects.create(audit=audit_of("004"), return_comment="一二三四五六七八九十" * 7)
    [line] = _section(staff, "self").lines
    assert line.text == "2023年度稽核：自评已被退回：" + "一二三四五六七八九十" * 6


def test_an_items_finding_is_cut_at_40_characters(staff, many_items):
    first = RectificationItem.objects.filter(audit=many_items).in_order().first()
    RectificationItem.objects.filter(pk=first.pk).update(finding="一二三四五六七八九十" * 5)
    line = _section(staff, "rectify").lines[0]
    assert line.text == f"2023 · {first.standard.code} " + "一二三四五六七八九十" * 4 + "（退回）"
