"""四性检测 (DA/T 70-2018) of an archive package: 真实 (every digest and the manifest's
signature), 完整 (every file the manifest names is there, nothing else), 可用 (each file opens:
PDFs parse and the generated ones declare PDF/A, images decode, spreadsheets open), 安全 (no
executable, macro or encrypted file). The report is in Chinese and names each file at fault."""

import io
import json
import zipfile
from dataclasses import dataclass, field

from . import digests
from .package import MANIFEST, SIGNATURE

TESTS = ("真实性", "完整性", "可用性", "安全性")
EXECUTABLE = (
    b"MZ",
    b"\x7fELF",
    b"#!",
    b"\xca\xfe\xba\xbe",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xcf\xfa\xed\xfe",
)
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MACRO_EXTENSIONS = {"xlsm", "docm", "pptm", "xltm", "dotm", "xlam"}


@dataclass
class Report:
    package: str
    number: str = ""
    files: int = 0
    faults: dict = field(default_factory=lambda: {test: [] for test in TESTS})

    def fault(self, test: str, text: str) -> None:
        self.faults[test].append(text)

    @property
    def passed(self) -> bool:
        return not any(self.faults.values())

    def lines(self) -> list[str]:
        out = [
            f"四性检测：{self.package}",
            f"档号：{self.number or '（未能读出）'}，文件 {self.files} 个",
        ]
        for test in TESTS:
            faults = self.faults[test]
            out.append(f"{test}：{'通过' if not faults else f'未通过（{len(faults)} 项）'}")
            out += [f"  - {fault}" for fault in faults]
        out.append("结论：通过" if self.passed else "结论：未通过，请核查上列文件")
        return out


def _usable(test_report: Report, path: str, fmt: str, generated: bool, data: bytes) -> None:
    """可用性 and 安全性 of one file's bytes."""
    if data.startswith(EXECUTABLE):
        test_report.fault("安全性", f"{path}：是可执行程序，档案中不应有程序文件")
        return
    if fmt in MACRO_EXTENSIONS:
        test_report.fault("安全性", f"{path}：含宏的文件格式（.{fmt}）")
    if fmt == "pdf":
        try:
            from pypdf import PdfReader

            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                test_report.fault("安全性", f"{path}：PDF 已加密，日后可能无法打开")
                return
            for page in reader.pages:
                page.mediabox  # noqa: B018 (each page's dictionary is read)
        except Exception as error:  # any parse failure means the file cannot be used
            test_report.fault("可用性", f"{path}：PDF 无法解析（{type(error).__name__}）")
            return
        if generated:
            metadata = reader.trailer["/Root"].get("/Metadata")
            xmp = metadata.get_object().get_data() if metadata is not None else b""
            if b"pdfaid:part" not in xmp:
                test_report.fault("可用性", f"{path}：系统生成的文件未声明为 PDF/A")
    elif fmt in ("png", "jpg", "jpeg"):
        try:
            from PIL import Image

            with Image.open(io.BytesIO(data)) as image:
                image.verify()
        except Exception as error:
            test_report.fault("可用性", f"{path}：图片无法解码（{type(error).__name__}）")
    elif fmt in ("xlsx", "docx", "ofd", "zip", "xlsm", "docm"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as inner:
                names = inner.namelist()
                if any(info.flag_bits & 0x1 for info in inner.infolist()):
                    test_report.fault("安全性", f"{path}：压缩包内有加密文件")
                if any(name.lower().endswith("vbaproject.bin") for name in names):
                    test_report.fault("安全性", f"{path}：含有宏（vbaProject.bin）")
                if fmt == "xlsx":
                    from openpyxl import load_workbook

                    load_workbook(io.BytesIO(data), read_only=True).close()
        except Exception as error:
            test_report.fault("可用性", f"{path}：文件无法打开（{type(error).__name__}）")
    elif fmt in ("doc", "xls", "wps", "et"):
        if not data.startswith(OLE2):
            test_report.fault("可用性", f"{path}：不是有效的 Office/WPS 文件")
        elif (
            b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d\x00P\x00a\x00c\x00k\x00a\x00g\x00e" in data
        ):
            test_report.fault("安全性", f"{path}：文件已加密")
        elif b"_\x00V\x00B\x00A\x00_\x00P\x00R\x00O\x00J\x00E\x00C\x00T" in data:
            test_report.fault("安全性", f"{path}：含有宏")
    elif fmt == "csv":
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            test_report.fault("可用性", f"{path}：不是 UTF-8 文本")


def verify(source, name: str = "") -> Report:
    """Check a package (a path or a binary file) and say what holds."""
    report = Report(package=name or str(source))
    try:
        package = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as error:
        report.fault("完整性", f"不是可读的 ZIP 档案包（{error}）")
        return report
    with package:
        names = package.namelist()
        for member in names:
            if member.startswith("/") or ".." in member.split("/"):
                report.fault("安全性", f"{member}：路径越出档案包")
        roots = {member.split("/", 1)[0] for member in names}
        root = next(iter(roots)) if len(roots) == 1 else ""
        manifest_name, signature_name = f"{root}/{MANIFEST}", f"{root}/{SIGNATURE}"
        if not root or manifest_name not in names:
            report.fault("完整性", "缺少清单 manifest.json（或档案包内不止一个档号目录）")
            return report
        body = package.read(manifest_name)
        try:
            manifest = json.loads(body)
            entries = manifest["文件"]
        except (ValueError, KeyError, TypeError):
            report.fault("真实性", "清单 manifest.json 无法读取")
            return report
        report.number = str(manifest.get("档号", ""))
        report.files = len(entries)
        if signature_name not in names:
            report.fault("真实性", "缺少清单签名 manifest.sig")
        elif not digests.signature_holds(
            body, package.read(signature_name).decode("ascii", "replace")
        ):
            report.fault("真实性", "清单签名不符：清单在签发后被改动，或不是本平台签发")
        if manifest.get("包摘要", {}).get("值") != digests.package_digest(entries):
            report.fault("真实性", "包摘要与清单所列文件不符")
        listed = set()
        for entry in entries:
            path = entry.get("path", "")
            listed.add(f"{root}/{path}")
            if f"{root}/{path}" not in names:
                report.fault("完整性", f"{path}：清单中有，档案包中缺失")
                continue
            with package.open(f"{root}/{path}") as stream:
                found = digests.of_stream(stream)
            if found["sha256"] != entry.get("sha256") or found["sm3"] != entry.get("sm3"):
                report.fault("真实性", f"{path}：内容与清单记录的 SHA-256/SM3 不符，文件已被改动")
            elif found["size"] != entry.get("size"):
                report.fault("真实性", f"{path}：大小与清单不符")
            _usable(
                report,
                path,
                entry.get("格式", ""),
                bool(entry.get("系统生成")),
                package.read(f"{root}/{path}"),
            )
        for extra in sorted(set(names) - listed - {manifest_name, signature_name}):
            if not extra.endswith("/"):
                report.fault("完整性", f"{extra.split('/', 1)[-1]}：档案包中有，清单中未列")
    return report
