from decimal import Decimal

from audit_portal.tests.spreadsheet_helpers import (
    confirm,
    read_xlsx,
    upload_for_preview,
    xlsx_upload,
)
from checklist.models import Standard

IMPORT_URL = "/admin/checklist/standard/import/"
HEADER = ["年度", "类别序号", "类别", "序号", "标准内容", "满分", "一票否决", "适用范围"]


def test_export_lists_the_29_standards_with_their_full_text(client_for):
    response = client_for("administrator").post(
        "/admin/checklist/standard/export/",
        {
            "format": "0",
            **{
                f"standardresource_{f}": "on"
                for f in (
                    "year",
                    "category",
                    "category_name",
                    "number",
                    "text",
                    "max_points",
                    "is_veto",
                    "applies_to",
                )
            },
        },
    )
    rows = read_xlsx(response.content)
    assert rows[0] == HEADER
    assert len(rows) == 30
    assert rows[1] == [
        2023,
        1,
        "组织机构管理",
        1,
        "代办处（经办机构）组织健全，建立互助保障工作管理办法。",
        10,
        "否",
        "全部",
    ]
    assert [2023, 3, "财务管理", 7] == rows[-4][:4] and rows[-4][7] == "仅非直投"


def test_the_office_sets_points_and_veto_items_by_spreadsheet(client_for, cycle):
    client = client_for("administrator")
    text = Standard.objects.get_by_natural_key(2023, 1, 1).text
    upload = xlsx_upload(HEADER, [[2023, 1, "组织机构管理", 1, text, 15, "是", "全部"]])
    confirm(client, IMPORT_URL, upload_for_preview(client, IMPORT_URL, upload))
    standard = Standard.objects.get_by_natural_key(2023, 1, 1)
    assert (standard.max_points, standard.is_veto, standard.text) == (Decimal(15), True, text)
    assert Standard.objects.count() == 29


def test_bad_rows_are_named_and_nothing_is_imported(client_for):
    client = client_for("administrator")
    upload = xlsx_upload(
        HEADER,
        [
            [2023, 1, "", 1, "改过的标准", 12, "否", "全部"],
            [2023, 9, "", 1, "不存在的类别", 10, "否", "全部"],
            [2023, 2, "", 2, "负分", -3, "否", "全部"],
            [2023, 2, "", 3, "否决写错", 10, "也许", "全部"],
        ],
    )
    body = upload_for_preview(client, IMPORT_URL, upload).content.decode()
    assert "2023 年度稽核没有序号为 9 的类别。" in body
    assert "确保该值大于或等于0.1" in body
    assert "请填写“是”或“否”，而不是“也许”。" in body
    assert 'name="import_file_name"' not in body
    assert Standard.objects.get_by_natural_key(2023, 1, 1).text != "改过的标准"


def test_new_points_recompute_the_scores_of_open_audits(client_for, manager):
    from checklist.tests.helpers import audit_of, save

    audit = audit_of("004")
    save(audit, "1-1", manager, result="compliant")
    save(audit, "1-2", manager, result="largely", points="5", finding="x")
    audit.refresh_from_db()
    assert audit.total_score == Decimal("75.0")

    client = client_for("administrator")
    text = Standard.objects.get(category__position=1, number=2).text
    upload = xlsx_upload(HEADER, [[2023, 1, "组织机构管理", 2, text, 30, "否", "全部"]])
    confirm(client, IMPORT_URL, upload_for_preview(client, IMPORT_URL, upload))

    audit.refresh_from_db()
    assert audit.total_score == Decimal("37.5")  # (10 + 5) / (10 + 30)


def test_changing_grade_bands_regrades_open_audits_but_not_finalized_ones(client_for, manager):
    from agencies.models import AuditStatus
    from checklist.tests.helpers import audit_of, save

    open_audit, finalized = audit_of("004"), audit_of("007")
    for audit in (open_audit, finalized):
        save(audit, "1-2", manager, result="largely", points="9.2", finding="x")
    finalized.refresh_from_db()
    finalized.status = AuditStatus.FINALIZED
    finalized.save()

    cycle = open_audit.cycle
    response = client_for("administrator").post(
        f"/admin/agencies/cycle/{cycle.pk}/change/",
        {
            "year": 2023,
            "title": cycle.title,
            "document_deadline": "",
            "rectification_days": "30",
            "rectification_remind_days": "7",
            "previous": "",
            "grade_excellent_min": "95",
            "grade_good_min": "85",
            "grade_pass_min": "60",
            "report_number_format": cycle.report_number_format,
            "notice_number_format": cycle.notice_number_format,
            "notice_basis": cycle.notice_basis,
            "notice_preparation": cycle.notice_preparation,
            "draft_reply_days": "10",
            "draft_number_format": cycle.draft_number_format,
            "archive_number_format": cycle.archive_number_format,
            "retention_conclusion": cycle.retention_conclusion,
            "retention_proof": cycle.retention_proof,
            "retention_initiation": cycle.retention_initiation,
            "retention_reference": cycle.retention_reference,
        },
    )
    assert response.status_code == 302
    open_audit.refresh_from_db()
    finalized.refresh_from_db()
    assert open_audit.grade == "good"  # 92.0 was 优秀 and is 良好 under the new bands
    assert finalized.grade == "excellent"  # as finalized


def test_a_number_that_is_not_whole_is_refused_not_read_as_another_row(client_for):
    client = client_for("administrator")
    text = Standard.objects.get_by_natural_key(2023, 1, 1).text
    rows = [
        [2023, 1, "组织机构管理", 1.5, "新的标准一", 10, "否", "全部"],
        [2023, 1, "组织机构管理", "x", "新的标准二", 10, "否", "全部"],
        [2023, 1.5, "组织机构管理", 2, "新的标准三", 10, "否", "全部"],
    ]
    preview = upload_for_preview(client, IMPORT_URL, xlsx_upload(HEADER, rows))
    page = preview.content.decode()
    assert page.count("不是整数") >= 2, page
    assert "没有序号为 1.5 的类别" in page
    assert "ConversionSyntax" not in page and "确认导入" not in page
    assert Standard.objects.get_by_natural_key(2023, 1, 1).text == text  # 1-1 untouched
    assert Standard.objects.count() == 29
