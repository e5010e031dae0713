"""docs/mlps-level3.md names, for each 等保 control, the tests that check it: every file and
test it names must exist, so the map cannot drift from the suite."""

import re
from pathlib import Path

from django.conf import settings

DOC = Path(settings.BASE_DIR) / "docs" / "mlps-level3.md"


def test_every_test_the_mapping_names_exists():
    text = DOC.read_text(encoding="utf-8")
    base = Path(settings.BASE_DIR)
    named = re.findall(r"`([\w/]+\.py)(?:::(\w+))?`", text)
    assert len(named) > 30
    last_file = None
    for path, test in named:
        assert (base / path).is_file(), path
        if test:
            assert re.search(rf"def {test}\(", (base / path).read_text(encoding="utf-8")), (
                f"{path}::{test}"
            )
            last_file = path
    # "…::name" continues the file named just before it in the same cell
    for test in re.findall(r"`…::(\w+)`", text):
        assert any(
            re.search(rf"def {test}\(", p.read_text(encoding="utf-8"))
            for p in base.glob("*/tests/**/test_*.py")
        ), test
    assert last_file is not None


def test_the_mapping_covers_each_level_3_control_of_the_application():
    text = DOC.read_text(encoding="utf-8")
    for heading in (
        "8.1.4.1 身份鉴别",
        "8.1.4.2 访问控制",
        "8.1.4.3 安全审计",
        "8.1.4.4 入侵防范",
        "8.1.4.7 数据完整性",
        "8.1.4.8 数据保密性",
        "8.1.4.9 数据备份恢复",
        "8.1.4.10 剩余信息保护",
        "8.1.4.11 个人信息保护",
        "8.1.5 安全管理中心",
    ):
        assert heading in text, heading
