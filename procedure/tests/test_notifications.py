"""The formal procedure's steps told to the people they concern: the notice and the draft to
the agency's staff, the agency's reply to the audit's team."""

from accounts.models import User
from audit_portal.testing import persona_user
from checklist.tests.helpers import audit_of
from notifications.models import Delivery, Kind
from procedure import notices

from .test_notices import TERMS


def _told(kind) -> set[str]:
    return set(
        Delivery.objects.filter(notification__kind=kind).values_list(
            "recipient__username", flat=True
        )
    )


def test_an_issued_notice_is_told_to_the_agencys_staff(manager):
    audit = audit_of("004")
    audit.auditors.add(persona_user("assigned"))
    notice = notices.issue_notice(audit=audit, by=manager, terms=notices.NoticeTerms(**TERMS))
    assert _told(Kind.NOTICE_ISSUED) == {persona_user("staff004").username}
    delivery = Delivery.objects.get(notification__kind=Kind.NOTICE_ISSUED)
    assert delivery.notification.text == f"2023 年度：稽核通知书 {notice.number} 已送达，请签收。"
    assert delivery.notification.link == "/cycles/2023/agencies/004/notice/"


def test_the_draft_goes_to_the_agency_and_its_reply_to_the_team(sent, objected):
    assert _told(Kind.DRAFT_SENT) == {persona_user("staff004").username}
    [draft_sent] = Delivery.objects.filter(notification__kind=Kind.DRAFT_SENT)
    assert f"征求意见稿 {sent.number} 已送达" in draft_sent.notification.text
    managers = set(User.objects.filter(role="manager").values_list("username", flat=True))
    assert _told(Kind.DRAFT_ANSWERED) == {persona_user("assigned").username} | managers
    [answered] = Delivery.objects.filter(
        notification__kind=Kind.DRAFT_ANSWERED, recipient=persona_user("assigned")
    )
    assert answered.notification.text.endswith(f"已就 {sent.number} 书面反馈，有异议 2 条。")
    assert answered.notification.link == "/cycles/2023/agencies/004/draft-report/"
