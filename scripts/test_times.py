"""Where make test spends its time: the test modules of each run by total seconds (setup,
call and teardown), from the JUnit files the runs write (var/junit-sqlite.xml,
var/junit-postgres.xml).

    .venv/bin/python scripts/test_times.py [how many, default 25]
"""

import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path


def main() -> int:
    shown = int(sys.argv[1]) if len(sys.argv) > 1 else 25
    for name in ("sqlite", "postgres"):
        path = Path("var") / f"junit-{name}.xml"
        if not path.exists():
            print(f"{path}: not there (make test writes it)")
            continue
        by_module: Counter = Counter()
        counts: Counter = Counter()
        for case in ET.parse(path).iter("testcase"):  # noqa: S314  # nosec B314
            module = case.get("classname", "")
            by_module[module] += float(case.get("time", 0))
            counts[module] += 1
        total = sum(by_module.values())
        print(f"== {name}: {sum(counts.values())} tests, {total / 60:.1f} minutes in tests")
        for module, seconds in by_module.most_common(shown):
            print(f"{seconds:8.1f} s {seconds / total:6.1%} {counts[module]:5d}  {module}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
