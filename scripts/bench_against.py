"""One page's server time, this tree against an earlier commit, side by side in one run:
`make bench-against REV=<commit> [PAGE=/cycles/2023/agencies/004/scoring/]`.

A worktree of REV is checked out in a temporary folder. One child process per tree loads
that tree's code and `scripts/bench.py` (each builds its own seeded, half-scored database, as
`make bench` does) and waits; the parent then asks them in turn for a few requests at a time,
swapping who goes first each round, so that both series meet the same moments of the
machine's load. It prints both medians and the change. Used for issue 16's "scoring page
15 % faster than the current commit".
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GIT = shutil.which("git") or "git"
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "30"))
PER_ROUND = int(os.environ.get("BENCH_PER_ROUND", "5"))


def child(tree: str, page: str) -> None:
    """In the child: that tree's Django and bench database; time requests when asked."""
    import time

    sys.path[:0] = [tree, f"{tree}/scripts"]
    os.chdir(tree)
    import logging

    import bench  # the tree's own: sets up Django and a scratch database

    auditor, manager = bench.prepare()
    logging.disable(logging.INFO)  # the access log is not what is measured
    from django.test import Client

    client = Client()
    client.force_login(auditor if page.startswith("/cycles/2023/agencies/") else manager)
    for _ in range(5):
        assert client.get(page).status_code == 200
    print("ready", flush=True)
    try:
        for line in sys.stdin:
            times = []
            for _ in range(int(line)):
                start = time.perf_counter()
                client.get(page)
                times.append((time.perf_counter() - start) * 1000)
            print(json.dumps(times), flush=True)
    finally:
        from django.db import connections

        connections.close_all()
        if bench.drop_scratch_database:
            bench.drop_scratch_database()
        shutil.rmtree(bench.WORKDIR, ignore_errors=True)


def main(revision: str, page: str) -> int:
    python = ROOT / ".venv" / "bin" / "python"
    with tempfile.TemporaryDirectory(prefix="audit-portal-against-") as scratch:
        other = Path(scratch) / "tree"
        subprocess.run(
            [GIT, "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(other), revision],
            check=True,
        )
        try:
            trees = {revision: other, "this tree": ROOT}
            children = {
                name: subprocess.Popen(
                    [str(python), __file__, "--child", str(tree), page],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                    cwd=tree,
                )
                for name, tree in trees.items()
            }
            for name, process in children.items():
                line = process.stdout.readline()
                if line.strip() != "ready":
                    raise SystemExit(f"{name}: the benchmark process did not start")
            samples = {name: [] for name in children}
            order = list(children)
            for _ in range(ROUNDS):
                for name in order:
                    children[name].stdin.write(f"{PER_ROUND}\n")
                    children[name].stdin.flush()
                    samples[name] += json.loads(children[name].stdout.readline())
                order.reverse()
            for process in children.values():
                process.stdin.close()
                process.wait(timeout=60)
        finally:
            subprocess.run(
                [GIT, "-C", str(ROOT), "worktree", "remove", "--force", str(other)], check=False
            )
    before, after = (statistics.median(samples[name]) for name in trees)
    print(f"{page}: median of {ROUNDS * PER_ROUND} requests each, alternating")
    print(f"  {revision:<12} {before:7.1f} ms")
    print(f"  {'this tree':<12} {after:7.1f} ms  ({(after - before) / before * 100:+.0f} %)")
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3])
    else:
        if len(sys.argv) < 2:
            raise SystemExit(__doc__)
        default = "/cycles/2023/agencies/004/scoring/"
        sys.exit(main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else default))
