"""System checks: PDF reports need a CJK font and HarfBuzz's subsetter on the machine."""

import ctypes.util
import shutil
import subprocess

from django.core.checks import Error, Warning, register


def cjk_fonts() -> list[str]:
    """Font families fontconfig offers for Chinese (what WeasyPrint will find)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    command = [fc_list, ":lang=zh", "family"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=20, check=False)  # noqa: S603
    return [line for line in result.stdout.splitlines() if line.strip()]


def has_harfbuzz_subset() -> bool:
    return ctypes.util.find_library("harfbuzz-subset") is not None


@register()
def pdf_rendering(app_configs, **kwargs):
    problems = []
    fonts = cjk_fonts()
    if not any("Noto" in family and "CJK" in family for family in fonts):
        problems.append(
            Error(
                "No Noto CJK font is installed: reports would print Chinese as empty boxes.",
                hint="apt-get install fonts-noto-cjk (make run and make test do this as root).",
                id="reports.E001",
            )
        )
    if not has_harfbuzz_subset():
        problems.append(
            Error(
                "HarfBuzz's subsetting library is missing: every report would take ~50 times longer.",
                hint="apt-get install libharfbuzz-subset0.",
                id="reports.E002",
            )
        )
    try:
        import weasyprint  # noqa: F401
    except OSError as error:
        problems.append(
            Warning(
                f"WeasyPrint cannot load its libraries: {error}",
                hint="apt-get install libpango-1.0-0 libpangoft2-1.0-0",
                id="reports.W001",
            )
        )
    return problems
