"""整改情况报告: a progress report while items are open; once every item is closed a manager
issues it with a number of its own, and from then on its bytes never change."""

import hashlib

import pytest
from django.utils import timezone

from rectification import services as rectification
from rectification.tests.helpers import finalized, item_of
from reports import services
from reports.models import RectificationReport

from .helpers import pdf_text

PDF = "/cycles/2023/agencies/004/rectification.pdf"
ISSUE = "/cycles/2023/agencies/004/rectification/report/"


@pytest.fixture
def audit(manager):
    return finalized("004", manager, shortfalls=("1-2", "3-5"))


def close_all(audit, staff, manager):
    for code in ("1-2", "3-5"):
        item = item_of(audit, code)
        rectification.answer_item(
            item=item,
            by=staff,
            answer=rectification.Answer(f"{code} 已整改：建立台账", "刘明", timezone.localdate()),
            expected_version=item.version,
            submit=True,
        )
    rectification.close_items(
        audit=audit, items=[item_of(audit, "1-2").pk, item_of(audit, "3-5").pk], by=manager
    )


def test_while_items_are_open_the_pdf_shows_the_progress(client_for, audit):
    response = client_for("staff004").get(PDF)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "朝阳2023年度稽核整改情况报告" in text.replace("\n", "")
    assert "整改进行中" in text and "共 2 项，已销号 0 项" in text
    assert "X-Report-SHA256" not in response
    staff_page = client_for("staff004").get("/cycles/2023/agencies/004/rectification/")
    assert "当前整改进度（PDF）" in staff_page.content.decode()
    assert "出具整改情况报告" not in staff_page.content.decode()


def test_it_cannot_be_issued_before_every_item_is_closed(client_for, audit):
    page = client_for("manager").post(ISSUE, follow=True).content.decode()
    assert "所有整改项销号后才能出具整改情况报告。" in page
    assert not RectificationReport.objects.exists()


def test_once_every_item_is_closed_a_manager_issues_it_and_its_bytes_stay(
    client_for, audit, staff004, manager
):
    close_all(audit, staff004, manager)
    page = client_for("manager").post(ISSUE, follow=True).content.decode()
    assert "已出具整改情况报告 整改〔2023〕004号。" in page
    report = RectificationReport.objects.get()
    assert report.sha256 == hashlib.sha256(bytes(report.content)).hexdigest()
    text = pdf_text(bytes(report.content))
    assert "整改〔2023〕004号" in text and "1-2 已整改：建立台账" in text and "核验销号" in text

    # reopening an item changes the item, never the issued PDF
    item = item_of(audit, "1-2")
    rectification.reopen_item(item=item, by=manager, reason="抽查", expected_version=item.version)
    for persona in ("staff004", "manager"):
        response = client_for(persona).get(PDF)
        assert response.content == bytes(report.content)
        assert response["X-Report-SHA256"] == report.sha256


def test_issuing_twice_without_news_is_refused_and_a_new_closing_gives_version_2(
    client_for, audit, staff004, manager
):
    close_all(audit, staff004, manager)
    services.issue_rectification_report(audit=audit, by=manager)
    with pytest.raises(services.RectificationReportRefused):
        services.issue_rectification_report(audit=audit, by=manager)
    item = item_of(audit, "3-5")
    rectification.reopen_item(item=item, by=manager, reason="抽查", expected_version=item.version)
    item.refresh_from_db()
    rectification.answer_item(
        item=item,
        by=staff004,
        answer=rectification.Answer("补充整改", "刘明", timezone.localdate()),
        expected_version=item.version,
        submit=True,
    )
    rectification.close_items(audit=audit, items=[item.pk], by=manager)
    second = services.issue_rectification_report(audit=audit, by=manager)
    assert (second.version, second.number) == (2, "整改〔2023〕004号（第2版）")
    assert RectificationReport.objects.count() == 2


def test_only_a_manager_issues_it(audit, staff004, manager, auditor):
    close_all(audit, staff004, manager)
    with pytest.raises(services.RectificationReportRefused):
        services.issue_rectification_report(audit=audit, by=auditor)


def test_an_audit_without_items_has_nothing_to_report(manager):
    audit = finalized("007", manager, shortfalls=())
    with pytest.raises(services.RectificationReportRefused):
        services.issue_rectification_report(audit=audit, by=manager)


def test_other_agencies_staff_cannot_read_it(client_for, audit):
    assert client_for("staff007").get(PDF).status_code == 404


def test_the_circular_gains_a_rectification_section_once_items_exist(client_for, staff004, manager):
    import io

    from openpyxl import load_workbook

    manager_client = client_for("manager")
    finalized("007", manager, shortfalls=())
    assert "整改情况" not in pdf_text(manager_client.get("/cycles/2023/circular.pdf").content)
    assert (
        "整改情况"
        not in load_workbook(
            io.BytesIO(manager_client.get("/cycles/2023/circular.xlsx").content)
        ).sheetnames
    )

    audit = finalized("004", manager, shortfalls=("1-2", "3-5"))
    item = item_of(audit, "1-2")
    rectification.answer_item(
        item=item,
        by=staff004,
        answer=rectification.Answer("已整改", "刘明", timezone.localdate()),
        expected_version=1,
        submit=True,
    )
    rectification.close_items(audit=audit, items=[item.pk], by=manager)
    text = pdf_text(manager_client.get("/cycles/2023/circular.pdf").content)
    assert "五、整改情况" in text
    assert "共有整改项 2 项，已销号 1 项，逾期 0 项，整改完成率 50%" in text.replace("\n", "")
    sheet = load_workbook(io.BytesIO(manager_client.get("/cycles/2023/circular.xlsx").content))[
        "整改情况"
    ]
    assert [c.value for c in sheet[2]] == ["004", "朝阳", 2, 1, 0, 50]
