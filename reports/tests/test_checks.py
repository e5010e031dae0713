from reports import checks


def test_a_missing_cjk_font_is_an_error(monkeypatch):
    monkeypatch.setattr(checks, "cjk_fonts", lambda: ["DejaVu Sans"])
    assert "reports.E001" in [e.id for e in checks.pdf_rendering(None)]


def test_a_missing_harfbuzz_subsetter_is_an_error(monkeypatch):
    monkeypatch.setattr(checks, "has_harfbuzz_subset", lambda: False)
    assert "reports.E002" in [e.id for e in checks.pdf_rendering(None)]


def test_this_machine_has_what_reports_need():
    assert checks.pdf_rendering(None) == []
