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
SURVIVED = {"survived", "no tests", "suspicious"}


def mutmut(*args: str) -> str:
    done = subprocess.run([MUTMUT, *args], cwd=ROOT, capture_output=True, text=True, check=False)
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


def earlier_entries() -> dict[str, list[str]]:
    """name -> the lines of its entry in the file as it stands (heading to its Why: line),
    so that a run restricted to some mutants keeps what earlier runs found of the others."""
    entries, current = {}, None
    if OUTPUT.exists():
        for line in OUTPUT.read_text(encoding="utf-8").splitlines():
            heading = HEADING.match(line)
            if heading:
                current = heading.group(1)
                entries[current] = []
            if current:
                entries[current].append(line)
                if line.startswith("Why:"):
                    entries[current].append("")
                    current = None
    return entries


LITERAL = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')
TRANSLATED = re.compile(r"\b(_|gettext|ngettext|pgettext|gettext_lazy)\(")
# Reasons given without reading the mutant, for mutants that change only the text of a
# string (the code around it identical): what the string is decides why no test needs to
# fail. Marked "(automatic)" so that a reader knows nobody looked at it one by one.
MSGID = (
    "Why: (automatic) changes a message's msgid; test_translations, left out of mutation "
    "runs because it reads every mutant's source, fails on a msgid without Chinese."
)
LOG = "Why: (automatic) changes the wording of a log line, not a rule."
INTERNAL = "Why: (automatic) changes the wording of an internal error, never shown to users."


def automatic_reason(diff: str) -> str | None:
    lines = diff.splitlines()
    changed = [
        i for i, line in enumerate(lines) if line[:1] in "-+" and line[:3] not in ("---", "+++")
    ]
    removed = [lines[i][1:] for i in changed if lines[i].startswith("-")]
    added = [lines[i][1:] for i in changed if lines[i].startswith("+")]
    if len(removed) != 1 or len(added) != 1:
        return None

    def shape(text):
        return LITERAL.sub('""', text).replace("None", '""').strip()

    if shape(removed[0]) != shape(added[0]) or removed[0] == added[0]:
        return None
    before = "\n".join(line[1:] for line in lines[max(0, changed[0] - 3) : changed[0] + 1])
    if TRANSLATED.search(before):
        # _(None) is not a new msgid but a crash: someone must look at it
        return MSGID if "None" not in added[0] else None
    if "logger." in before or "logging." in before:
        return LOG
    if "raise " in before or "Error(" in before:
        return INTERNAL
    return None


def _same_mutant(name: str, lines: list[str]) -> bool:
    """Whether the entry's diff is still what mutmut's mutant of that name is: mutants are
    numbered within their function, so a rewritten function reuses the names for others."""

    def body(diff: str) -> str:  # without mutmut's first line, which names the status
        return "\n".join(line for line in diff.strip().splitlines() if not line.startswith("# "))

    text = "\n".join(lines)
    stored = text.split("```diff\n", 1)[-1].split("\n```", 1)[0]
    return body(stored) == body(mutmut("show", name))


def main() -> int:
    results = {}
    for line in mutmut("results", "--all", "true").splitlines():
        match = RESULT.match(line)
        if match:
            results[match.group(1)] = match.group(2)
    if not results:
        print("No results: run `make mutate` (mutmut run) first.")
        return 1
    if not any(status in ("killed", "timeout") for status in results.values()):
        # mutmut stops before the first mutant when the unmutated tests fail: writing the
        # file now would throw away every explanation in it
        print(
            "mutmut checked no mutant: did the tests fail before it began (see its output)? "
            f"{OUTPUT.name} is left as it was."
        )
        return 1
    # a timeout counts as caught (the mutant hangs the tests); "not checked" is for a run
    # that was stopped before it reached them, and is only counted
    survivors = sorted(name for name, status in results.items() if status in SURVIVED)
    kept = explanations()
    # survivors of an earlier run that this one did not check (a run restricted to some
    # mutants: `mutmut run "checklist.workpaper.*"`) stay as they were; a mutant of code
    # since removed (mutmut no longer knows it) goes
    carried = {
        name: lines
        for name, lines in earlier_entries().items()
        if results.get(name) == "not checked" and _same_mutant(name, lines)
    }
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
    for name in sorted(set(survivors) | set(carried)):
        if name in carried:
            lines += carried[name]
            continue
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
            kept.get(name) or automatic_reason(diff) or NOT_EXPLAINED,
            "",
        ]
    OUTPUT.write_text("\n".join(lines), encoding="utf-8")
    unexplained = sum(1 for line in lines if line == NOT_EXPLAINED)
    print(
        f"{len(survivors)} survivors written to {OUTPUT.name}, {len(carried)} kept from "
        f"earlier runs; {unexplained} not yet explained."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
