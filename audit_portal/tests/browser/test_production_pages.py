"""What people see when the production set-up says no: a file too large for the server, a
download the front server could not send, a ZIP past its retention, a mail server that is
not there."""

import socket
from contextlib import closing

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from agencies.models import Cycle
from audit_portal.testing import persona_user
from audit_portal.tests.browser.navigation import arrive
from evidence.models import EvidenceFile, Reminder
from evidence.tests import samples
from reports.models import ReportBundle

pytestmark = pytest.mark.browser

DOCS = "/cycles/2023/agencies/004/documents/"


def _section(page, number):
    return page.locator(f"section.document-item[data-number='{number}']")


def test_a_file_over_the_limit_is_refused_before_it_is_sent(browser_for, portal, settings):
    settings.EVIDENCE_MAX_UPLOAD_BYTES = 1024 * 1024
    staff = browser_for("staff004")
    staff.goto(portal + DOCS)
    uploads = []
    staff.on("request", lambda r: uploads.append(r.url) if r.method == "POST" else None)
    big = b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 1)
    _section(staff, 1).locator("input[type=file]").set_input_files(
        [{"name": "扫描件.pdf", "mimeType": "application/pdf", "buffer": big}]
    )
    refused = _section(staff, 1).locator(".upload-progress li[data-state=failed]")
    expect(refused).to_contain_text("文件超过服务器允许的 1 MB 上限，没有上传")
    assert uploads == [] and not EvidenceFile.objects.exists()


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (413, "文件超过服务器允许的 100 MB 上限"),
        (502, "服务器暂时无法接收文件"),
        (500, "状态码 500"),
    ],
)
def test_a_proxys_refusal_is_explained_in_chinese(browser_for, portal, status, words):
    staff = browser_for("staff004")
    staff.goto(portal + DOCS)
    # what nginx answers in front of the portal: its own English page
    staff.route(
        "**/documents/1/upload/",
        lambda route: route.fulfill(
            status=status, content_type="text/html", body="<h1>Request Entity Too Large</h1>"
        ),
    )
    _section(staff, 1).locator("input[type=file]").set_input_files(
        [{"name": "制度.pdf", "mimeType": "application/pdf", "buffer": samples.PDF}]
    )
    refused = _section(staff, 1).locator(".upload-progress li[data-state=failed]")
    expect(refused).to_contain_text(words)
    expect(refused).not_to_contain_text("Entity")


def test_the_front_servers_error_pages_speak_chinese(page, portal):
    page.goto(portal + "/download-unavailable/")
    expect(page.get_by_role("heading", name="文件暂时无法下载")).to_be_visible()
    expect(page.locator("body")).to_contain_text("请求编号")
    page.goto(portal + "/upload-too-large/")
    expect(page.get_by_role("heading", name="文件太大，没有上传")).to_be_visible()
    expect(page.locator("body")).to_contain_text("每个文件最大 100 MB")
    page.get_by_role("link", name="返回首页").click()
    arrive(page, f"{portal}/accounts/login/?next=/")


def test_an_expired_zip_offers_a_new_one(browser_for, portal):
    from agencies.models import Audit

    Audit.objects.filter(serial__gt=2).delete()
    bundle = ReportBundle.objects.create(
        cycle=Cycle.objects.get(year=2023),
        requested_by=persona_user("manager"),
        status=ReportBundle.Status.EXPIRED,
        total=2,
        done=2,
        finished_at=timezone.now(),
    )
    manager = browser_for("manager")
    manager.goto(f"{portal}/cycles/2023/reports/bundle/{bundle.pk}/")
    expect(manager.locator("body")).to_contain_text("这个压缩包已超过保留期限，已被删除。")
    manager.get_by_role("button", name="重新生成压缩包").click()
    expect(manager.get_by_role("link", name="下载 ZIP")).to_be_visible()
    expect(manager.get_by_test_id("bundle-kept-until")).to_contain_text("之后自动删除")
    with manager.expect_download() as download:
        manager.get_by_role("link", name="下载 ZIP").click()
    assert download.value.suggested_filename == "2023年度全部稽核报告.zip"


def test_a_reminder_without_a_mail_server_says_who_was_not_reminded(browser_for, portal, settings):
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    User.objects.filter(pk=persona_user("staff007").pk).update(email="huairou@example.org")
    manager = browser_for("manager")
    manager.goto(portal + "/cycles/2023/documents/")
    manager.get_by_role("button", name="向所有缺少资料的代办处发送提醒邮件").click()
    alert = manager.locator(".alert-danger")
    expect(alert).to_contain_text("怀柔")
    expect(alert).to_contain_text("拒绝连接")
    expect(manager.locator("tr[data-code='007'] [data-testid=reminder-failed]")).to_contain_text(
        "未发送"
    )
    assert Reminder.objects.get().error
