"""Load test: gunicorn + PostgreSQL, 50 simulated users for 60 seconds (make loadtest).

Two instances of the portal (two gunicorns on two ports, one database, one evidence folder,
as two application servers behind nginx) share the users; half-way through, one of them is
killed with SIGKILL. Its users go on on the other (with the session they had), as nginx
would send them, and the test checks that the other kept serving and that nothing
acknowledged by either was lost. `--instances 1` runs one gunicorn and kills nothing.

40 auditors, each on an agency of their own, open the overview and their scoring page,
save standards (autosave) and download an issued report; 10 agency staff open their
documents, upload 256 KB PDFs and download them again. Each user waits 0–0.5 s (--think) between
requests. Afterwards every save the server acknowledged must be in the database at that
version and in the history, and every acknowledged upload must be stored with its SHA-256.
The run fails on any 5xx, on any unacknowledged loss, or on an unexpected answer.

    .venv/bin/python scripts/load_test.py [--users 50] [--seconds 60] [--instances 2] [--keep]

Runs on loopback only, against a PostgreSQL cluster of its own (see scripts/lab.py).
"""

import argparse
import hashlib
import json
import random
import re
import sys
import threading
import time
from collections import defaultdict

from lab import (
    ACKNOWLEDGED_WRITES,
    SCORING_ITEM,
    Cluster,
    Portal,
    User,
    pdf_bytes,
    report,
    require_venv,
    seed_users,
    teardown,
    workdir,
)

FINALIZED = ("004", "007")  # issued reports to download
# (result, points): valid entries for any standard, so that every save should be accepted
RESULTS = [("compliant", ""), ("largely", "1"), ("non_compliant", "0")]

FINALIZE = f"""
from accounts.models import User
from agencies.models import Audit
from checklist import services
from checklist.models import Result
from reports.services import finalize_and_issue
manager = User.objects.get(username="manager")
for code in {FINALIZED}:
    audit = Audit.objects.select_related("cycle").get(cycle__year=2023, agency__code=code)
    for standard in services.applicable_standards(audit):
        services.save_assessment(audit=audit, standard=standard, by=manager, expected_version=0,
                                 entry=services.Entry(result=Result.COMPLIANT))
    services.submit_audit(audit=audit, by=manager)
    finalize_and_issue(audit=Audit.objects.get(pk=audit.pk), by=manager)
"""

VERIFY = (
    ACKNOWLEDGED_WRITES
    + """
print(json.dumps({"lost": lost, "saves": len(claims["saves"]), "uploads": len(claims["uploads"])}))
"""
)


class Run:
    def __init__(self, portal, seconds, think):
        self.think = think
        self.portal = portal
        self.deadline = time.monotonic() + seconds
        self.saves = []  # (code, standard key, version, finding) acknowledged by the server
        self.uploads = []  # (file id, sha256)
        self.unexpected = []
        self.lock = threading.Lock()
        self.killed_at = None  # when the first instance was killed (monotonic)
        self.served_after_kill = 0

    def expect(self, response, *codes):
        if response is None:
            return False  # a POST the killed instance did not answer: not acknowledged
        if self.killed_at is not None and response.status_code < 500:
            with self.lock:
                self.served_after_kill += 1
        if response.status_code not in codes:
            with self.lock:
                detail = re.sub(r"<[^>]+>|\s+", " ", response.text)[:160].strip()
                self.unexpected.append(
                    (response.request.method, response.url, response.status_code, detail)
                )
        return response.status_code in codes

    def auditor(self, user: User, code: str):
        versions = {}
        n = 0
        time.sleep(random.uniform(0, self.think))  # noqa: S311 -- people do not start at once
        while time.monotonic() < self.deadline:
            roll = random.random()  # noqa: S311 -- a load mix, not a secret
            if roll < 0.35:
                self.expect(user.get("overview", "/cycles/2023/"), 200)
            elif roll < 0.55 or not versions:
                page = user.get("scoring page", f"/cycles/2023/agencies/{code}/scoring/")
                if self.expect(page, 200):
                    versions = {key: (pk, int(v)) for key, pk, v in SCORING_ITEM.findall(page.text)}
            elif roll < 0.9:
                key = random.choice(sorted(versions))  # noqa: S311
                n += 1
                finding = f"{user.username} 第{n}次保存"
                result, points = random.choice(RESULTS)  # noqa: S311
                response = user.post(
                    "save",
                    f"/cycles/2023/agencies/{code}/scoring/{key}/",
                    {
                        "version": versions[key][1],
                        "result": result,
                        "points": points,
                        "finding": finding,
                        "rectification": "限期整改",
                        "not_applicable_reason": "",
                    },
                    headers={"HX-Request": "true"},
                )
                if response is None:
                    versions = {}  # it may have been saved: read the versions again
                elif self.expect(response, 200):
                    pk = versions[key][0]
                    match = re.search(rf'id="version-{pk}" value="(\d+)"', response.text)
                    if response.status_code == 200 and match:
                        versions[key] = (pk, int(match.group(1)))
                        with self.lock:
                            self.saves.append((code, key, versions[key][1], finding))
            else:
                response = user.get("report download", "/cycles/2023/agencies/004/report.pdf")
                if self.expect(response, 200) and not response.content.startswith(b"%PDF"):
                    self.unexpected.append(("report", response.url, "not a PDF"))
            time.sleep(random.uniform(0, self.think))  # noqa: S311

    def staff(self, user: User, code: str):
        files = []
        n = 0
        time.sleep(random.uniform(0, self.think))  # noqa: S311
        while time.monotonic() < self.deadline:
            roll = random.random()  # noqa: S311
            if roll < 0.45 or not user.csrf:
                self.expect(
                    user.get("documents page", f"/cycles/2023/agencies/{code}/documents/"), 200
                )
            elif roll < 0.8:
                n += 1
                content = pdf_bytes(f"{user.username}-{n}")
                number = random.randint(1, 10)  # noqa: S311
                response = user.post(
                    "upload",
                    f"/cycles/2023/agencies/{code}/documents/{number}/upload/",
                    files={"files": (f"资料{n}.pdf", content, "application/pdf")},
                    headers={"X-Requested-With": "XMLHttpRequest"},
                )
                if self.expect(response, 201):
                    file_id = response.json()["id"]
                    files.append(file_id)
                    with self.lock:
                        self.uploads.append((file_id, hashlib.sha256(content).hexdigest()))
            elif files:
                file_id = random.choice(files)  # noqa: S311
                self.expect(
                    user.get("file download", f"/cycles/2023/agencies/{code}/files/{file_id}/"), 200
                )
            time.sleep(random.uniform(0, self.think))  # noqa: S311


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument(
        "--think", type=float, default=0.5, help="longest pause between a user's requests (s)"
    )
    parser.add_argument(
        "--instances",
        type=int,
        choices=(1, 2),
        default=2,
        help="gunicorn instances (2: one killed)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    require_venv()
    staff_count = max(1, args.users // 5)
    auditor_count = args.users - staff_count

    folder = workdir("audit-portal-load-")
    cluster = Cluster(folder)
    portal = twin = None
    try:
        print(f"PostgreSQL cluster of its own on 127.0.0.1:{cluster.port} ({folder})")
        cluster.init()
        portal = Portal(folder, cluster.url)
        where = portal.prepare(seed_users(auditor_count, staff_count, exclude=FINALIZED))
        portal.manage("shell", stdin=FINALIZE)
        portal.start()
        bases = [portal.base]
        if args.instances == 2:
            twin = portal.twin()
            twin.start()
            bases.append(twin.base)
        print(f"gunicorn on {' and '.join(bases)}; signing in {args.users} users")

        people = []
        for n, (name, code) in enumerate(where.items()):
            role = "auditor" if name.startswith("auditor") else "staff"
            # every other person on the second instance; those on the first fall back to it
            base, standby = (
                (bases[n % 2], bases[1] if n % 2 == 0 else None)
                if twin
                else (
                    portal.base,
                    None,
                )
            )
            people.append((role, User(base, name, standby=standby), code))
        for _role, user, _code in people:
            user.sign_in()

        run = Run(portal, args.seconds, args.think)
        threads = [
            threading.Thread(target=getattr(run, role), args=(user, code), daemon=True)
            for role, user, code in people
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        if twin:
            time.sleep(args.seconds / 2)
            portal.kill()  # SIGKILL, master and workers: mid-request for some users
            run.killed_at = time.monotonic()
            print(f"killed the first instance (SIGKILL) after {run.killed_at - started:.1f} s")
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        portal.stop()
        if twin:
            twin.stop()

        timings, codes_seen = defaultdict(list), defaultdict(lambda: defaultdict(int))
        for _role, user, _code in people:
            for kind, values in user.timings.items():
                if kind in ("sign-in page", "sign in"):
                    continue
                timings[kind].extend(values)
                for status, count in user.statuses[kind].items():
                    codes_seen[kind][status] += count
        print(report(timings, codes_seen, elapsed))
        errors = sum(n for kinds in codes_seen.values() for s, n in kinds.items() if s >= 500)

        claims = folder / "claims.json"
        claims.write_text(json.dumps({"saves": run.saves, "uploads": run.uploads}))
        verified = portal.shell_json(VERIFY, claims)
        print(
            f"acknowledged saves {verified['saves']}, uploads {verified['uploads']}; "
            f"missing afterwards: {len(verified['lost'])}; 5xx: {errors}; "
            f"unexpected answers: {len(run.unexpected)}"
        )
        for item in (verified["lost"] + run.unexpected)[:20]:
            print("  ", item)
        failed = errors or verified["lost"] or run.unexpected or not run.saves or not run.uploads
        if twin:
            moved = sum(user.failovers for _role, user, _code in people)
            on_first = sum(1 for _role, user, _code in people if user.failovers or user.standby)
            print(
                f"after the kill: {moved} of {on_first} users of the first instance went on on "
                f"the second, which answered {run.served_after_kill} requests"
            )
            failed = failed or not run.served_after_kill or moved < on_first
        print("LOAD TEST FAILED" if failed else "LOAD TEST PASSED")
        return 1 if failed else 0
    finally:
        if twin:
            twin.stop()
        teardown(portal, cluster, folder, args.keep)


if __name__ == "__main__":
    sys.exit(main())
