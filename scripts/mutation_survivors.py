"""Write mutation-survivors.md from the last `mutmut run` (make mutate).

Every surviving mutant is listed with its diff. An explanation written under a survivor in
the file (a line starting with "Why:") is kept when the file is written again, so the file
is the list of survivors each killed by a test since or explained in one line; a survivor
without one is marked "Why: (not yet explained)".

    .venv/bin/python scripts/mutation_survivors.py
"""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTMUT = str(ROOT / ".venv" / "bin" / "mutmut")
OUTPUT = ROOT / "mutation-survivors.md"
HEADING = re.compile(r"^### `([^`]+)`")
RESULT = re.compile(r"^\s*([\w.]+__mutmut_\d+): (\w[\w ]*)$")
NOT_EXPLAINED = "Why: (not yet explained)"


def mutmut(*args: str) -> str:
    done = subprocess.run(  # noqa: S603 -- our own virtualenv's mutmut
        [MUTMUT, *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
    return done.stdout


def explanations() -> dict[str, str]:
    """name -> its "Why:" line, from the file as it stands."""
    found, current = {}, None
    if OUTPUT.exists():
        for line in OUTPUT.read_text(encoding="utf-8").splitlines():
            heading = HEADING.match(line)
            if heading:
                current = heading.group(1)
            elif current and line.startswith("Why:") and line != NOT_EXPLAINED:
                found[current] = line
    return found


def main() -> int:
    results = {}
    for line in mutmut("results", "--all", "true").splitlines():
        match = RESULT.match(line)
        if match:
            results[match.group(1)] = match.group(2)
    if not results:
        print("No results: run `make mutate` (mutmut run) first.")
        return 1
    survivors = sorted(name for name, status in results.items() if status != "killed")
    kept = explanations()
    counts = {}
    for status in results.values():
        counts[status] = counts.get(status, 0) + 1
    lines = [
        "# Mutation survivors",
        "",
        "Written by `make mutate` (mutmut over the rule modules listed in pyproject.toml,",
        "`[tool.mutmut]`). Each survivor is either killed by a new test (and then disappears",
        "from this file at the next run) or explained on its `Why:` line.",
        "",
        "Last run: "
        + ", ".join(f"{count} {status}" for status, count in sorted(counts.items()))
        + ".",
        "",
    ]
    for name in survivors:
        diff = mutmut("show", name).strip()
        lines += [
            f"### `{name}`",
            "",
            f"Status: {results[name]}",
            "",
            "```diff",
            diff,
            "```",
            "",
            kept.get(name, NOT_EXPLAINED),
            "",
        ]
    OUTPUT.write_text("\n".join(lines), encoding="utf-8")
    unexplained = sum(1 for name in survivors if name not in kept)
    print(f"{len(survivors)} survivors written to {OUTPUT.name}; {unexplained} not yet explained.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
