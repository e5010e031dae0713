"""A package of an audit that went through every step: the 征求意见稿 and the agency's reply
with an objection's proof and the signed scan, the 整改情况报告 with proof, the
self-assessment — each in its class; and the 四性检测's other findings."""

import io
import json
import zipfile

import pytest
from django.utils import timezone
from weasyprint import HTML

from archives import digests, package
from archives.verify import verify
from audit_portal.testing import persona_user
from checklist.services import submit_audit
from checklist.tests.helpers import audit_of, score_everything
from evidence.tests.conftest import empty_store  # noqa: F401 (each test ends with an empty store)
from procedure import drafts
from procedure.models import Decision, Opinion
from rectification import services as rectification
from rectification.models import RectificationItem
from reports import services as reports
from selfassessment.models import SelfAssessment

ROOT = "京互稽档-2023-004"
SCAN = HTML(string="<p>反馈函</p>").write_pdf()


def _upload(name):
    """An upload as the streaming handler leaves it (a file on disk, its SHA-256)."""
    import hashlib

    from evidence.uploads import EvidenceUpload

    upload = EvidenceUpload(name, "application/pdf", None, None)
    upload.write(SCAN)
    upload.hash, upload.size = hashlib.sha256(SCAN), len(SCAN)
    upload.flush()
    return upload


@pytest.fixture
def every_step(manager, staff004, cycle, tmp_path):
    cycle.draft_step = True
    cycle.save()
    audit = audit_of("004")
    audit.auditors.add(persona_user("assigned"))
    score_everything(audit, manager, shortfalls=("1-2",))
    submit_audit(audit=audit, by=manager)
    draft = reports.send_draft(audit=audit_of("004"), by=manager)
    problem = draft.problems.get()
    drafts.save_reply(
        draft=draft,
        by=staff004,
        opinion="同意",
        lines=[drafts.ProblemReply(problem.pk, Opinion.OBJECTS, "已整改")],
        submit=False,
    )
    drafts.add_proof(
        draft=draft, problem_id=problem.pk, upload=_upload("异议证明.pdf"), by=staff004
    )
    drafts.add_signed_reply(draft=draft, upload=_upload("反馈函.pdf"), by=staff004)
    drafts.save_reply(
        draft=draft,
        by=staff004,
        opinion="同意",
        lines=[drafts.ProblemReply(problem.pk, Opinion.OBJECTS, "已整改")],
        submit=True,
    )
    drafts.answer_objection(
        problem=problem, by=manager, decision=Decision.REJECTED, reason="证据不足"
    )
    reports.finalize_and_issue(audit=audit_of("004"), by=manager)
    item = RectificationItem.objects.get(audit=audit)
    rectification.add_proof(item=item, upload=_upload("整改证明.pdf"), by=staff004)
    RectificationItem.objects.filter(pk=item.pk).update(status="closed", closed_at=timezone.now())
    reports.issue_rectification_report(audit=audit_of("004"), by=manager)
    SelfAssessment.objects.create(audit=audit, status="submitted", submitted_at=timezone.now())
    path = tmp_path / "004.zip"
    return path, package.build(audit_of("004"), path, by=manager)


def test_every_step_leaves_its_record_in_its_class(every_step):
    path, manifest = every_step
    paths = {entry["path"]: entry for entry in manifest["文件"]}
    for expected in (
        "结论类/征求意见稿-稽核征〔2023〕004号.pdf",
        "结论类/征求意见反馈及采纳情况-稽核征〔2023〕004号.pdf",
        "结论类/整改情况报告-整改〔2023〕004号.pdf",
        "证明类/自查自评表.pdf",
    ):
        assert expected in paths, expected
    attachments = [p for p in paths if p.startswith("结论类/征求意见反馈附件/")]
    assert sorted(p.split("-", 1)[1] for p in attachments) == ["反馈函.pdf", "异议证明.pdf"]
    assert any(p.startswith("证明类/整改佐证/") and p.endswith("整改证明.pdf") for p in paths)
    reply = paths["结论类/征求意见反馈及采纳情况-稽核征〔2023〕004号.pdf"]
    assert reply["责任者"] == "朝阳" and reply["系统生成"] is True
    with zipfile.ZipFile(path) as package_file:
        from reports.tests.helpers import pdf_text

        text = pdf_text(
            package_file.read(f"{ROOT}/结论类/征求意见反馈及采纳情况-稽核征〔2023〕004号.pdf")
        )
    for words in ("已反馈", "已整改", "不采纳", "证据不足"):
        assert words in text.replace("\n", ""), words
    assert verify(path).passed, verify(path).lines()


def _add(path, name, data, generated=False):
    """A file added to the package and listed in its manifest, signed again (an insider's
    package: only the 可用性 or 安全性 test can find what is wrong with the file)."""
    with zipfile.ZipFile(path) as old:
        members = {info.filename: old.read(info) for info in old.infolist()}
    manifest = json.loads(members[f"{ROOT}/manifest.json"])
    manifest["文件"].append(
        {
            "path": name,
            "格式": name.rsplit(".", 1)[-1],
            "系统生成": generated,
            **digests.of_stream(io.BytesIO(data)),
        }
    )
    manifest["包摘要"]["值"] = digests.package_digest(manifest["文件"])
    body = json.dumps(manifest, ensure_ascii=False).encode()
    members[f"{ROOT}/manifest.json"] = body
    members[f"{ROOT}/manifest.sig"] = (digests.sign(body) + "\n").encode()
    members[f"{ROOT}/{name}"] = data
    with zipfile.ZipFile(path, "w") as new:
        for member, content in members.items():
            new.writestr(member, content)


def _encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(SCAN)))
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _zip_with(name, data, encrypted=False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as inner:
        inner.writestr(name, data)
    content = out.getvalue()
    if encrypted:  # the flag a password-protected member carries
        content = content.replace(b"PK\x03\x04\x14\x00\x00\x00", b"PK\x03\x04\x14\x00\x01\x00", 1)
        content = content.replace(
            b"PK\x01\x02\x14\x03\x14\x00\x00\x00", b"PK\x01\x02\x14\x03\x14\x00\x01\x00", 1
        )
    return content


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@pytest.mark.parametrize(
    "name, data, test, words",
    [
        ("证明类/其他/加密.pdf", None, "安全性", "PDF 已加密"),
        (
            "证明类/其他/旧表.xls",
            OLE2 + "EncryptedPackage".encode("utf-16-le"),
            "安全性",
            "文件已加密",
        ),
        ("证明类/其他/宏.doc", OLE2 + "_VBA_PROJECT".encode("utf-16-le"), "安全性", "含有宏"),
        ("证明类/其他/假.doc", b"not an office file", "可用性", "不是有效的 Office/WPS 文件"),
        ("证明类/其他/表.csv", "编码".encode("gbk"), "可用性", "不是 UTF-8 文本"),
        (
            "证明类/其他/包.zip",
            _zip_with("a.txt", b"x", encrypted=True),
            "安全性",
            "压缩包内有加密文件",
        ),
        ("证明类/其他/坏.xlsx", _zip_with("a.txt", b"x"), "可用性", "文件无法打开"),
        ("证明类/其他/坏.zip", b"PK not really", "可用性", "文件无法打开"),
    ],
)
def test_what_the_four_tests_find_in_a_file(manager, tmp_path, name, data, test, words):
    from rectification.tests.helpers import finalized

    finalized("004", manager)
    path = tmp_path / "p.zip"
    package.build(audit_of("004"), path)
    _add(path, name, _encrypted_pdf() if data is None else data)
    report = verify(path)
    assert any(words in fault and name in fault for fault in report.faults[test]), report.lines()


def test_a_package_without_its_signature_or_with_a_wrong_digest(manager, tmp_path):
    from rectification.tests.helpers import finalized

    finalized("004", manager)
    path = tmp_path / "p.zip"
    package.build(audit_of("004"), path)
    with zipfile.ZipFile(path) as old:
        members = {info.filename: old.read(info) for info in old.infolist()}
    unsigned = tmp_path / "unsigned.zip"
    with zipfile.ZipFile(unsigned, "w") as new:
        for member, content in members.items():
            if not member.endswith("manifest.sig"):
                new.writestr(member, content)
    assert "缺少清单签名 manifest.sig" in verify(unsigned).faults["真实性"]
    manifest = json.loads(members[f"{ROOT}/manifest.json"])
    manifest["包摘要"]["值"] = "0" * 64
    body = json.dumps(manifest, ensure_ascii=False).encode()
    members[f"{ROOT}/manifest.json"], members[f"{ROOT}/manifest.sig"] = (
        body,
        digests.sign(body).encode(),
    )
    wrong = tmp_path / "wrong.zip"
    with zipfile.ZipFile(wrong, "w") as new:
        for member, content in members.items():
            new.writestr(member, content)
    assert "包摘要与清单所列文件不符" in verify(wrong).faults["真实性"]
    escaping = tmp_path / "escaping.zip"
    with zipfile.ZipFile(escaping, "w") as new:
        new.writestr("../逃逸.txt", b"x")
    assert any("路径越出档案包" in fault for fault in verify(escaping).faults["安全性"])


def test_a_package_whose_manifest_is_missing_or_unreadable(tmp_path):
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as new:
        new.writestr("京互稽档-2023-004/说明.txt", b"x")
    assert "缺少清单" in verify(empty).faults["完整性"][0]
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(broken, "w") as new:
        new.writestr("京互稽档-2023-004/manifest.json", b"{not json")
    assert "清单 manifest.json 无法读取" in verify(broken).faults["真实性"]
