"""The document deadline told to the agencies still owing documents: three days before and
once past, each once per deadline, none after a month or to an agency that owes nothing."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command

from agencies.models import Cycle
from evidence import deadlines
from evidence.models import DocumentRequest, DocumentStatus, RequiredDocument
from notifications.models import Delivery, Kind, Message, Notification

DEADLINE = date(2024, 3, 1)


@pytest.fixture
def cycle(db):
    Cycle.objects.filter(year=2023).update(document_deadline=DEADLINE)
    return Cycle.objects.get(year=2023)


def _told(user):
    return list(
        Delivery.objects.filter(recipient=user)
        .order_by("pk")
        .values_list("notification__kind", "notification__text")
    )


def test_near_then_passed_each_once(cycle, staff004, staff007):
    # 007 has handed in every document: it owes nothing and hears nothing
    audit = cycle.audits.get(agency__code="007")
    for document in RequiredDocument.objects.filter(cycle=cycle):
        DocumentRequest.objects.update_or_create(
            audit=audit, document=document, defaults={"status": DocumentStatus.ACCEPTED}
        )
    assert deadlines.tell(DEADLINE - timedelta(days=4)) == 0  # not yet
    assert deadlines.tell(DEADLINE - timedelta(days=3)) > 0
    assert deadlines.tell(DEADLINE - timedelta(days=2)) == 0  # told already
    assert _told(staff004) == [
        (
            Kind.DEADLINE_NEAR,
            "2023 年度：稽核资料须于 2024-03-01 前提交，尚有 10 项未提交或被退回。",
        )
    ]
    deadlines.tell(DEADLINE + timedelta(days=1))
    deadlines.tell(DEADLINE + timedelta(days=2))
    assert _told(staff004)[1:] == [
        (
            Kind.DEADLINE_PASSED,
            "2023 年度：稽核资料已于 2024-03-01 截止，尚有 10 项未提交或被退回，请尽快上传。",
        )
    ]
    assert _told(staff007) == []
    assert deadlines.tell(DEADLINE + deadlines.PASSED_FOR + timedelta(days=1)) == 0


def test_a_moved_deadline_is_told_again(cycle, staff004):
    deadlines.tell(DEADLINE - timedelta(days=1))
    Cycle.objects.filter(pk=cycle.pk).update(document_deadline=DEADLINE + timedelta(days=2))
    deadlines.tell(DEADLINE)
    assert [kind for kind, _text in _told(staff004)] == [Kind.DEADLINE_NEAR] * 2


def test_the_daily_command_says_how_many(cycle, staff004, capsys, monkeypatch):
    from accounts.models import User

    User.objects.filter(pk=staff004.pk).update(email="chaoyang@example.org")
    monkeypatch.setattr(deadlines.timezone, "localdate", lambda: DEADLINE)
    call_command("remind_documents")
    told = Notification.objects.filter(kind=Kind.DEADLINE_NEAR).count()
    assert told > 0 and capsys.readouterr().out == f"已向 {told} 个代办处发出资料截止提醒。\n"
    # e-mailed too: no other daily job e-mails the document deadline
    [mail] = Message.objects.filter(channel="email", recipient=staff004)
    assert mail.address == "chaoyang@example.org"


def test_a_finalized_audit_is_not_told(cycle, staff004):
    from agencies.models import AuditStatus

    cycle.audits.filter(agency__code="004").update(status=AuditStatus.FINALIZED)
    deadlines.tell(DEADLINE + timedelta(days=1))
    assert _told(staff004) == []


def test_the_days_rerun_reads_the_same_queries_for_10_agencies_as_for_60(cycle, staff004):
    """Every agency told already: the daily job asks once which of them were, not once an
    agency (5,000 agencies were 5,000 queries a day)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from audit_portal.testing import add_to_roster

    day = DEADLINE - timedelta(days=1)
    counts = []
    for codes in (range(600, 610), range(610, 660)):
        add_to_roster(cycle, codes)
        deadlines.tell(day)  # the newcomers are told
        with CaptureQueriesContext(connection) as queries:
            assert deadlines.tell(day) == 0
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
