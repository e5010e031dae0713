"""稽核档案: one agency's package with every record in its class, a manifest with SHA-256 and
SM3 of each file, signed; and the 四性检测 that finds a changed byte, a missing or an extra
file, an edited manifest, an unusable or unsafe file."""

import io
import itertools
import json
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from weasyprint import HTML

from archives import digests, package
from archives.verify import verify
from audit_portal.testing import persona_user
from checklist.tests.helpers import audit_of
from evidence import services as evidence
from evidence.models import RequiredDocument
from evidence.tests.conftest import empty_store  # noqa: F401 (each test ends with an empty store)
from procedure import notices
from rectification.tests.helpers import finalized

ROOT = "京互稽档-2023-004"
UPLOADED = HTML(string="<p>管理制度</p>").write_pdf()  # a scan as agencies upload: not PDF/A


@pytest.fixture
def archived(manager, staff004, tmp_path):
    """朝阳 with an uploaded document, its notice signed for, finalized; its package built."""
    audit = audit_of("004")
    audit.auditors.add(persona_user("auditor"))
    document = RequiredDocument.objects.get(cycle=audit.cycle, number=1)
    evidence.store_bytes(
        audit=audit,
        document=document,
        name="管理制度.pdf",
        content=UPLOADED,
        by=staff004,
    )
    notices.issue_notice(
        audit=audit, by=manager, terms=notices.NoticeTerms("2023年度", "孟主任", "010-1", "—")
    )
    notices.sign_for_notice(audit=audit, by=staff004)
    finalized("004", manager)
    path = tmp_path / "004.zip"
    manifest = package.build(audit_of("004"), path, by=manager)
    return path, manifest


def _rewrite(path, change):
    """The package rewritten with ``change(name, data) -> data | None`` (None drops it)."""
    with zipfile.ZipFile(path) as old:
        members = [(info.filename, old.read(info)) for info in old.infolist()]
    with zipfile.ZipFile(path, "w") as new:
        for name, data in members:
            data = change(name, data)
            if data is not None:
                new.writestr(name, data)


def _resign(path, edit):
    """Edit the manifest and sign it again with the portal's key (as an insider could)."""

    def change(name, data):
        if name.endswith("/manifest.json"):
            manifest = json.loads(data)
            edit(manifest)
            data = json.dumps(manifest, ensure_ascii=False).encode()
            change.signature = digests.sign(data)
            return data
        if name.endswith("/manifest.sig"):
            return None
        return data

    _rewrite(path, change)
    with zipfile.ZipFile(path, "a") as package_file:
        package_file.writestr(f"{ROOT}/manifest.sig", change.signature + "\n")


def test_the_package_holds_every_record_in_its_class(archived):
    path, manifest = archived
    assert manifest["档号"] == ROOT and manifest["被稽核单位"] == {"编码": "004", "名称": "朝阳"}
    assert manifest["保管期限"] == {
        "结论类": "永久",
        "证明类": "30年",
        "立项类": "30年",
        "备查类": "10年",
    }
    by_path = {entry["path"]: entry for entry in manifest["文件"]}
    expected = {
        "结论类/稽核报告-稽核〔2023〕004号.pdf": ("结论类", "永久", True),
        "结论类/2023年度稽核通报.pdf": ("结论类", "永久", True),
        "证明类/稽核评分表.pdf": ("证明类", "30年", True),
        "证明类/稽核评分记录.xlsx": ("证明类", "30年", True),
        "立项类/稽核通知书-京互稽通〔2023〕1号.pdf": ("立项类", "30年", True),
        "立项类/立项记录.pdf": ("立项类", "30年", True),
        "备查类/安全日志.csv": ("备查类", "10年", True),
    }
    for path_in, (klass, retention, generated) in expected.items():
        entry = by_path[path_in]
        assert (entry["类别"], entry["保管期限"], entry["系统生成"]) == (
            klass,
            retention,
            generated,
        )
        assert entry["责任者"] == "中国职工保险互助会北京办事处" and entry["形成日期"]
    uploaded = [e for e in manifest["文件"] if e["path"].startswith("证明类/稽核前资料/")]
    assert len(uploaded) == 1 and uploaded[0]["path"].endswith("-管理制度.pdf")
    assert uploaded[0]["责任者"] == "朝阳" and uploaded[0]["系统生成"] is False
    assert uploaded[0]["sha256"] == uploaded[0]["sha256_at_upload"]
    with zipfile.ZipFile(path) as package_file:
        assert package_file.read(f"{ROOT}/{uploaded[0]['path']}") == UPLOADED
        names = set(package_file.namelist())
        body = package_file.read(f"{ROOT}/manifest.json")
        assert digests.signature_holds(body, package_file.read(f"{ROOT}/manifest.sig").decode())
    assert {f"{ROOT}/{e['path']}" for e in manifest["文件"]} | {
        f"{ROOT}/manifest.json",
        f"{ROOT}/manifest.sig",
    } == names
    # SHA-256 and SM3 of each file as stored
    entry = by_path["备查类/安全日志.csv"]
    with zipfile.ZipFile(path) as package_file:
        assert digests.of_stream(package_file.open(f"{ROOT}/备查类/安全日志.csv")) == {
            "size": entry["size"],
            "sha256": entry["sha256"],
            "sm3": entry["sm3"],
        }


def test_an_untouched_package_passes_all_four_tests(archived, capsys):
    path, _manifest = archived
    report = verify(path)
    assert report.passed, report.lines()
    call_command("verify_archive", str(path))
    out = capsys.readouterr().out
    for line in ("真实性：通过", "完整性：通过", "可用性：通过", "安全性：通过", "结论：通过"):
        assert line in out


def _fails(path, test, *words):
    report = verify(path)
    assert not report.passed
    faults = " ".join(report.faults[test])
    for word in words:
        assert word in faults, (word, report.lines())
    with pytest.raises(CommandError):
        call_command("verify_archive", str(path))
    return report


def test_a_changed_byte_is_found_and_named(archived):
    path, _ = archived
    _rewrite(
        path,
        lambda name, data: data + b"\n" if "管理制度" in name else data,
    )
    _fails(path, "真实性", "管理制度.pdf", "已被改动")


def test_a_removed_file_is_found(archived):
    path, _ = archived
    _rewrite(path, lambda name, data: None if name.endswith("立项记录.pdf") else data)
    _fails(path, "完整性", "立项类/立项记录.pdf", "缺失")


def test_an_added_file_is_found(archived):
    path, _ = archived
    with zipfile.ZipFile(path, "a") as package_file:
        package_file.writestr(f"{ROOT}/证明类/后补.pdf", b"%PDF-1.4 later")
    _fails(path, "完整性", "证明类/后补.pdf", "清单中未列")


def test_an_edited_manifest_breaks_its_signature(archived):
    path, _ = archived

    def change(name, data):
        return (
            data.replace("朝阳".encode(), "怀柔".encode())
            if name.endswith("manifest.json")
            else data
        )

    _rewrite(path, change)
    _fails(path, "真实性", "清单签名不符")


def test_a_file_and_its_manifest_changed_together_still_break_the_signature(archived):
    path, _ = archived

    def change(name, data):
        if "管理制度" in name:
            return b"%PDF-1.4 forged"
        if name.endswith("manifest.json"):
            manifest = json.loads(data)
            for entry in manifest["文件"]:
                if "管理制度" in entry["path"]:
                    found = digests.of_stream(io.BytesIO(b"%PDF-1.4 forged"))
                    entry.update(sha256=found["sha256"], sm3=found["sm3"], size=found["size"])
            manifest["包摘要"]["值"] = digests.package_digest(manifest["文件"])
            return json.dumps(manifest, ensure_ascii=False).encode()
        return data

    _rewrite(path, change)
    report = _fails(path, "真实性", "清单签名不符")
    assert not any("管理制度" in fault for fault in report.faults["真实性"])


def test_a_generated_pdf_that_is_not_pdfa_is_not_usable(archived, manager):
    path, _ = archived
    plain = HTML(string="<p>通报</p>").write_pdf()
    found = digests.of_stream(io.BytesIO(plain))

    def change(name, data):
        return plain if name.endswith("稽核通报.pdf") else data

    _rewrite(path, change)

    def edit(manifest):
        for entry in manifest["文件"]:
            if entry["path"].endswith("稽核通报.pdf"):
                entry.update(sha256=found["sha256"], sm3=found["sm3"], size=found["size"])
        manifest["包摘要"]["值"] = digests.package_digest(manifest["文件"])

    _resign(path, edit)
    report = _fails(path, "可用性", "2023年度稽核通报.pdf", "未声明为 PDF/A")
    assert not report.faults["真实性"]


@pytest.mark.parametrize(
    "name, data, test, words",
    [
        ("证明类/其他/工具.pdf", b"MZ\x90\x00\x03", "安全性", ("可执行程序",)),
        ("证明类/其他/表.xlsm", None, "安全性", ("宏",)),
        ("证明类/其他/坏.pdf", b"%PDF-1.4 broken", "可用性", ("PDF 无法解析",)),
        ("证明类/其他/图.png", b"\x89PNG\r\n\x1a\nbroken", "可用性", ("图片无法解码",)),
    ],
)
def test_unsafe_and_unusable_files_are_named(archived, name, data, test, words):
    path, _ = archived
    if data is None:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as book:
            book.writestr("[Content_Types].xml", "<Types/>")
            book.writestr("xl/vbaProject.bin", b"macro")
        data = out.getvalue()
    with zipfile.ZipFile(path, "a") as package_file:
        package_file.writestr(f"{ROOT}/{name}", data)
    found = digests.of_stream(io.BytesIO(data))

    def edit(manifest):
        manifest["文件"].append(
            {"path": name, "格式": name.rsplit(".", 1)[-1], "系统生成": False, **found}
        )
        manifest["包摘要"]["值"] = digests.package_digest(manifest["文件"])

    _resign(path, edit)
    _fails(path, test, name, *words)


def test_a_file_that_is_not_a_package(tmp_path):
    bad = tmp_path / "x.zip"
    bad.write_bytes(b"not a zip")
    report = verify(bad)
    assert not report.passed and "不是可读的 ZIP 档案包" in report.faults["完整性"][0]


def test_the_command_builds_a_package(manager, tmp_path, capsys):
    finalized("004", manager)
    out = tmp_path / "a.zip"
    call_command("build_archive", "2023", "004", str(out))
    assert "档号 京互稽档-2023-004" in capsys.readouterr().out
    assert verify(out).passed
    with pytest.raises(CommandError, match="没有该年度"):
        call_command("build_archive", "2023", "999", str(out))


def test_the_records_are_made_one_at_a_time_as_the_package_is_written(manager):
    """A package is streamed: each generated document is rendered when its turn comes, after
    the records before it are written, never the whole package in memory at once."""
    finalized("004", manager)
    target = io.BytesIO()
    written_before = []

    def render(html):
        written_before.append(target.tell())
        return UPLOADED

    package.build(audit_of("004"), target, circular=b"%PDF circular", render=render)
    assert len(written_before) >= 2  # the scoring form, the 立项记录
    assert all(a < b for a, b in itertools.pairwise(written_before)), written_before
    names = zipfile.ZipFile(target).namelist()
    assert f"{ROOT}/证明类/稽核评分表.pdf" in names and f"{ROOT}/立项类/立项记录.pdf" in names
