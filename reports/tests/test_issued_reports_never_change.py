"""An issued report is the bytes issued, whatever happens to its data afterwards; and no
report, whatever its text asks for, fetches anything from anywhere."""

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from agencies.models import Agency
from checklist import services as checklist_services
from checklist.tests.helpers import save
from reports import pdf
from reports.models import IssuedReport
from reports.tests.helpers import pdf_text, scored_and_submitted

URL = "/cycles/2023/agencies/004/report.pdf"


def test_the_issued_bytes_survive_a_rename_a_reopening_and_a_new_finding(
    client_for, db, auditor, manager
):
    audit = scored_and_submitted("004", auditor, finding="会议记录缺少分管领导签字")
    client = client_for("manager")
    client.post("/cycles/2023/agencies/004/finalize/")
    issued = IssuedReport.objects.get()
    stored = bytes(issued.content)

    # the agency is renamed while its report stands
    Agency.objects.filter(code="004").update(name="朝阳区新名称")
    answer = client.get(URL)
    assert answer.content == stored
    assert answer["X-Report-SHA256"] == issued.sha256 == hashlib.sha256(stored).hexdigest()

    # reopened, a finding rewritten, under review again: version 1 is still what was issued
    checklist_services.reopen_audit(audit=audit, by=manager, reason="补充材料")
    save(
        audit,
        "1-2",
        auditor,
        result="non_compliant",
        points="3",
        finding="改写后的发现：全年无汇报记录",
        rectification="限期整改",
    )
    checklist_services.submit_audit(audit=audit, by=auditor)
    first = client.get(URL + "?version=1")
    assert first.content == stored
    assert first["X-Report-SHA256"] == issued.sha256
    text = pdf_text(first.content)
    assert "会议记录缺少分管领导签字" in text and "改写后的发现" not in text
    assert "朝阳区新名称" not in text

    client.post("/cycles/2023/agencies/004/finalize/")
    second = IssuedReport.objects.get(version=2)
    assert client.get(URL).content == bytes(second.content) != stored
    assert client.get(URL + "?version=1").content == stored


class Recorder(BaseHTTPRequestHandler):
    asked: list[str] = []

    def do_GET(self):
        Recorder.asked.append(self.path)
        body = b"body { color: red }"
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def listening():
    Recorder.asked = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_report_fetches_nothing_it_is_asked_to(listening, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("机密", encoding="utf-8")
    html = f"""<html lang="zh-CN"><head>
      <link rel="stylesheet" href="{listening}/style.css">
      <style>@import url("{listening}/import.css");
             body {{ background: url("{listening}/background.png") }}</style>
    </head><body>
      <p>报告</p>
      <img src="{listening}/image.png">
      <img src="file://{secret}">
      <link rel="attachment" href="file://{secret}">
      <object data="{listening}/object.svg"></object>
    </body></html>"""
    content = pdf.html_to_pdf(html)
    assert content.startswith(b"%PDF-")
    assert Recorder.asked == []
    assert "机密" not in pdf_text(content)
    assert b"secret.txt" not in content
