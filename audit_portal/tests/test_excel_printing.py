"""Every Excel export prints as an office prints it: LibreOffice Calc (headless) turns each
workbook into a PDF, and every page must be A4 landscape with all of its sheet's columns (its
first and last header on the page), a title at the top and 第 N 页 共 M 页 at the bottom."""

import io
import re
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from common.spreadsheets import set_up_printing
from rectification.tests.helpers import finalized

pytestmark = pytest.mark.one_database

A4_LANDSCAPE = (841.9, 595.3)  # points
FOOTER = re.compile(r"第\s*(\d+)\s*页\s*共\s*(\d+)\s*页")


def _pdf_pages(pdf) -> list[tuple[tuple[float, float], str]]:
    """Each page's size in points and its text (all white space removed: a wrapped header
    is one word again)."""
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "999", str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    sizes = [
        (float(width), float(height))
        for width, height in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)
    ]
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    pages = [re.sub(r"\s+", "", page) for page in text.split("\f")][: len(sizes)]
    return list(zip(sizes, pages, strict=True))


def libreoffice_pdfs(workbooks: dict[str, bytes], folder) -> dict[str, list]:
    """The workbooks printed to PDF by LibreOffice Calc in one run: name → pages."""
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice is not installed (apt-get install libreoffice-calc-nogui)"
    sources = []
    for name, content in workbooks.items():
        path = folder / f"{name}.xlsx"
        path.write_bytes(content)
        sources.append(str(path))
    subprocess.run(
        [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{folder}/profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder / "pdf"),
            *sources,
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return {name: _pdf_pages(folder / "pdf" / f"{name}.pdf") for name in workbooks}


def _sheets(content: bytes, header_row: dict[str, int]) -> list[tuple[str, str, str, str]]:
    """Each printed sheet's title line (the page header), first and last column header."""
    book = load_workbook(io.BytesIO(content))
    found = []
    for sheet in book.worksheets:
        if sheet.sheet_state != "visible":
            continue
        row = header_row.get(sheet.title, 1)
        headers = [c.value for c in sheet[row] if c.value is not None]
        title = (sheet.oddHeader.center.text or "").replace("&&", "&")
        found.append((sheet.title, re.sub(r"\s+", "", title), str(headers[0]), str(headers[-1])))
    return found


def _problems(name, content, pages, header_row=None) -> list[str]:
    problems = []
    sheets = _sheets(content, header_row or {})
    for number, (size, text) in enumerate(pages, start=1):
        where = f"{name}, page {number}"
        if abs(size[0] - A4_LANDSCAPE[0]) > 2 or abs(size[1] - A4_LANDSCAPE[1]) > 2:
            problems.append(f"{where}: {size[0]:.0f}×{size[1]:.0f} pt, not A4 landscape")
        if not FOOTER.search(text):
            problems.append(f"{where}: no 第 N 页 共 M 页")
        titled = [sheet for sheet in sheets if sheet[1] and sheet[1] in text]
        if not titled:
            problems.append(f"{where}: no sheet's title printed on it")
            continue
        sheet, _title, first, last = max(titled, key=lambda s: len(s[1]))
        for header in (first, last):
            if re.sub(r"\s+", "", header) not in text:
                problems.append(f"{where} ({sheet}): column header {header!r} is not on it")
    return problems


@pytest.fixture
def exports(client_for, manager, assigned_to_chaoyang):
    """Every Excel export of a cycle with two finalized audits (and so their
    rectification items), as the office downloads them."""
    finalized("004", manager)
    finalized("007", manager, shortfalls=("1-1", "1-3", "2-2", "3-1"))
    office = client_for("manager")
    downloads = {
        "scores": office.get("/cycles/2023/scores.xlsx"),
        "circular": office.get("/cycles/2023/circular.xlsx"),
        "rectification": office.get("/cycles/2023/rectification.xlsx"),
        "workpaper": client_for("assigned").get("/cycles/2023/agencies/004/workpaper.xlsx"),
        "security-log": client_for("secauditor").get("/security/events/export.xlsx"),
        "problems": office.get("/problems.xlsx"),
    }
    for name, response in downloads.items():
        assert response.status_code == 200, name
    return {name: response.content for name, response in downloads.items()}


def test_every_excel_export_prints_on_a4_landscape_with_all_columns(exports, tmp_path):
    printed = libreoffice_pdfs(exports, tmp_path)
    problems = []
    for name, pages in printed.items():
        header_row = {"稽核工作底稿": 4} if name == "workpaper" else None
        problems += _problems(name, exports[name], pages, header_row)
    assert not problems, "\n".join(problems)
    # four items of two agencies on one page, not five portrait pages
    assert len(printed["rectification"]) == 1
    # 50 agencies × 29 standards: one page wide, so a few pages down, not 16
    assert len(printed["scores"]) <= 8, len(printed["scores"])


def test_a_title_with_an_ampersand_prints_as_written():
    from openpyxl import Workbook

    sheet = Workbook().active
    set_up_printing(sheet, "A&B 代办处")
    assert sheet.oddHeader.center.text == "A&&B 代办处"
    assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"
