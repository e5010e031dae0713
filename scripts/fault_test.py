"""Fault test: the server killed mid-upload and mid-finalization, the database stopped
under load (make faulttest).

1. Uploads: gunicorn is killed with SIGKILL (master and workers at once) while a 20 MB
   upload streams in, and again just after uploads finish sending (while they are stored),
   then restarted. Every file row must have its file with the right SHA-256; the cleanup
   command must remove the stray files and temporary uploads left behind; every upload the
   server acknowledged must be there.
2. Finalization: the server is killed while a manager finalizes audits (the report renders
   inside the transaction): half the kills wait until PostgreSQL shows the transaction open,
   half come at a random moment, before or after the commit. Afterwards each audit is either finalized
   with exactly one intact issued report or still under review with none, and finalizing
   again works.
3. Throughout 1 and 2 an auditor keeps saving; every save the server acknowledged must be
   in the database and in the history afterwards.
4. Database outage: PostgreSQL (a cluster of this script's own) is stopped for 8 s while
   users keep working. Every answer must be 200 or a clean 503 with the Chinese message
   (no 500, no hang), and the portal must answer 200 again by itself once the database is
   back, with no restart.

    .venv/bin/python scripts/fault_test.py [--keep]

Runs on loopback only (see scripts/lab.py). Exits 1 if anything above does not hold.
"""

import argparse
import hashlib
import json
import random
import re
import socket
import sys
import threading
import time
import uuid
from collections import Counter

import requests
from lab import (
    ACKNOWLEDGED_WRITES,
    SCORING_ITEM,
    Cluster,
    Portal,
    User,
    pdf_bytes,
    require_venv,
    seed_users,
    teardown,
    workdir,
)

UNDER_REVIEW = 6  # audits to finalize while the server is being killed

PREPARE = """
from accounts.models import User
from agencies.models import Audit
from checklist import services
from checklist.models import Result
manager = User.objects.get(username="manager")
audits = list(Audit.objects.filter(cycle__year=2023).order_by("-serial")[1:{n} + 1])
for audit in audits:
    for standard in services.applicable_standards(audit):
        services.save_assessment(audit=audit, standard=standard, by=manager, expected_version=0,
                                 entry=services.Entry(result=Result.COMPLIANT))
    services.submit_audit(audit=audit, by=manager)
import json
print(json.dumps([a.agency.code for a in audits]))
"""

CHECK = (
    ACKNOWLEDGED_WRITES
    + """
from agencies.models import Audit, AuditStatus
from reports.models import IssuedReport
problems = list(lost)
for row in EvidenceFile.objects.all():
    if not storage.exists(row.key):
        problems.append(("file row without its file", row.pk)); continue
    with storage.open(row.key, "rb") as stream:
        if hashlib.sha256(stream.read()).hexdigest() != row.sha256:
            problems.append(("file differs from its row", row.pk))
states = {}
for audit in Audit.objects.filter(agency__code__in=claims["finalizing"]).select_related("agency"):
    reports = list(IssuedReport.objects.filter(audit=audit))
    finalized = audit.status == AuditStatus.FINALIZED
    if finalized and (len(reports) != 1 or not reports[0].is_intact):
        problems.append(("finalized without exactly one intact report", audit.agency.code, len(reports)))
    if not finalized and reports:
        problems.append(("report issued for an audit not finalized", audit.agency.code))
    states[audit.agency.code] = audit.status
print(json.dumps({"problems": problems, "files": EvidenceFile.objects.count(), "states": states}))
"""
)


def stored_and_temporary(portal):
    root = portal.evidence_root
    temporary = list((root / ".incoming").glob("*")) if (root / ".incoming").exists() else []
    stored = [p for p in root.rglob("*") if p.is_file() and ".incoming" not in p.parts]
    return stored, temporary


class Saver(threading.Thread):
    """An auditor who keeps saving one agency's standards, whatever happens to the server."""

    def __init__(self, base, username, code):
        super().__init__(daemon=True)
        self.base, self.username, self.code = base, username, code
        self.saves, self.failures = [], Counter()
        self.stop = threading.Event()

    def run(self):
        user, versions, n = None, {}, 0
        while not self.stop.is_set():
            try:
                if user is None:
                    user = User(self.base, self.username)
                    user.sign_in()
                if not versions:
                    page = user.get("page", f"/cycles/2023/agencies/{self.code}/scoring/")
                    versions = {k: (pk, int(v)) for k, pk, v in SCORING_ITEM.findall(page.text)}
                    continue
                key = random.choice(sorted(versions))  # noqa: S311
                pk, version = versions[key]
                n += 1
                finding = f"故障测试 第{n}次"
                response = user.post(
                    "save",
                    f"/cycles/2023/agencies/{self.code}/scoring/{key}/",
                    {"version": version, "result": "compliant", "points": "", "finding": finding},
                    headers={"HX-Request": "true"},
                )
                match = re.search(rf'id="version-{pk}" value="(\d+)"', response.text)
                if response.status_code == 200 and match:
                    versions[key] = (pk, int(match.group(1)))
                    self.saves.append((self.code, key, versions[key][1], finding))
                else:
                    self.failures[response.status_code] += 1
                    versions = {}  # e.g. 409 after a lost answer: reload the page
            except (requests.RequestException, SystemExit):
                self.failures["no answer"] += 1
                user, versions = None, {}
                time.sleep(0.2)
            time.sleep(0.05)


def raw_upload(portal, user, code, number, content, *, stall_after=None):
    """POST a multipart upload over a plain socket, so that it can be cut off anywhere.
    Returns the socket (the caller reads the answer, or kills the server first)."""
    boundary = uuid.uuid4().hex
    name = f"故障{uuid.uuid4().hex[:6]}.pdf"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
        f'filename="{name}"\r\nContent-Type: application/pdf\r\n\r\n'
    ).encode()
    body = head + content + f"\r\n--{boundary}--\r\n".encode()
    cookies = "; ".join(f"{c.name}={c.value}" for c in user.session.cookies)
    path = f"/cycles/2023/agencies/{code}/documents/{number}/upload/"
    request = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{portal.port}\r\nCookie: {cookies}\r\n"
        f"X-CSRFToken: {user.csrf}\r\nReferer: {portal.base}{path}\r\n"
        "X-Requested-With: XMLHttpRequest\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    sock = socket.create_connection(("127.0.0.1", portal.port), timeout=30)
    sock.sendall(request)
    limit = len(body) if stall_after is None else stall_after
    for start in range(0, limit, 256 * 1024):
        sock.sendall(body[start : min(limit, start + 256 * 1024)])
        if stall_after is not None:
            time.sleep(0.01)
    return sock


def read_answer(sock):
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except OSError:
        pass
    sock.close()
    head, _sep, body = data.partition(b"\r\n\r\n")
    status = int(head.split()[1]) if head.startswith(b"HTTP/") else None
    return status, body


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    require_venv()
    folder = workdir("audit-portal-fault-")
    cluster = Cluster(folder)
    portal = None
    failures = []
    try:
        cluster.init()
        portal = Portal(folder, cluster.url, workers=2, threads=4)
        where = portal.prepare(seed_users(1, 1))
        finalizing = portal.shell_json(PREPARE.format(n=UNDER_REVIEW))
        portal.start()
        saver = Saver(portal.base, "auditor00", where["auditor00"])
        saver.start()
        staff_code = where["staff00"]
        uploads = []

        # 1a. killed in the middle of a 20 MB upload
        staff = User(portal.base, "staff00")
        staff.sign_in()
        staff.get("page", f"/cycles/2023/agencies/{staff_code}/documents/")
        big = pdf_bytes("big", 20 * 1024 * 1024)
        sock = raw_upload(portal, staff, staff_code, 1, big, stall_after=10 * 1024 * 1024)
        time.sleep(0.5)
        _stored, temporary = stored_and_temporary(portal)
        print(f"upload cut at 10 of 20 MB: {len(temporary)} temporary upload file(s) on disk")
        portal.kill()
        sock.close()
        if not temporary:
            failures.append("the interrupted upload left no temporary file: was it cut mid-way?")
        portal.start()

        # 1b. killed just after uploads finish sending (while they are being stored)
        acknowledged = 0
        for round_ in range(6):
            staff = User(portal.base, "staff00")
            staff.sign_in()
            staff.get("page", f"/cycles/2023/agencies/{staff_code}/documents/")
            sockets = []
            for i in range(4):
                content = pdf_bytes(f"round{round_}-{i}", 2 * 1024 * 1024)
                sockets.append((raw_upload(portal, staff, staff_code, 2 + i, content), content))
            time.sleep(random.uniform(0.0, 0.08))  # noqa: S311
            portal.kill()
            for sock, content in sockets:
                status, body = read_answer(sock)
                if status == 201:
                    uploads.append((json.loads(body)["id"], hashlib.sha256(content).hexdigest()))
                    acknowledged += 1
            portal.start()
        stored, temporary = stored_and_temporary(portal)
        print(
            f"6 kills during 24 uploads: {acknowledged} acknowledged; on disk "
            f"{len(stored)} stored file(s), {len(temporary)} temporary file(s)"
        )

        # 2. killed while finalizing
        manager = User(portal.base, "manager")
        outcomes = Counter()
        aborted_before = cluster.aborted_transactions()
        for index, code in enumerate(finalizing):
            manager = User(portal.base, "manager")
            manager.sign_in()
            manager.get("page", f"/cycles/2023/agencies/{code}/")
            answer = {}

            def finalize(code=code, manager=manager, answer=answer):
                try:
                    r = manager.post("finalize", f"/cycles/2023/agencies/{code}/finalize/")
                    answer["status"] = r.status_code
                except requests.RequestException:
                    answer["status"] = "no answer"

            thread = threading.Thread(target=finalize)
            thread.start()
            if index % 2 == 0:
                # inside the transaction for sure: while the report renders, it stays open
                cluster.wait_for_open_transaction(older_than=0.1, timeout=5)
            else:
                time.sleep(random.uniform(0.05, 1.5))  # noqa: S311 -- before or after commit
            portal.kill()
            thread.join()
            outcomes[answer["status"]] += 1
            portal.start()
        aborted = cluster.aborted_transactions() - aborted_before
        print(
            f"{len(finalizing)} finalizations cut by SIGKILL: answers {dict(outcomes)}; "
            f"PostgreSQL saw {aborted} transaction(s) cut off while open"
        )
        if aborted < len(finalizing) // 2:
            failures.append(f"only {aborted} kills landed inside a finalizing transaction")

        saver.stop.set()
        saver.join()
        print(
            f"auditor saves acknowledged during the kills: {len(saver.saves)}; not: {dict(saver.failures)}"
        )

        # after the crashes: the cleanup command, then the invariants
        cleanup = portal.manage("cleanup_evidence", "--grace", "0")
        print("cleanup_evidence:", cleanup.strip().splitlines()[-1])
        stored, temporary = stored_and_temporary(portal)
        claims = folder / "claims.json"
        claims.write_text(
            json.dumps({"uploads": uploads, "saves": saver.saves, "finalizing": finalizing})
        )
        checked = portal.shell_json(CHECK, claims)
        failures.extend(str(p) for p in checked["problems"])
        if len(stored) != checked["files"] or temporary:
            failures.append(
                f"after cleanup: {len(stored)} stored files for {checked['files']} rows, "
                f"{len(temporary)} temporary files"
            )
        print(
            f"after cleanup: {len(stored)} stored files = {checked['files']} rows; "
            f"audit states {Counter(checked['states'].values())}"
        )
        # finalizing again works where the kill came first
        manager = User(portal.base, "manager")
        manager.sign_in()
        for code, status in checked["states"].items():
            if status != "finalized":
                manager.get("page", f"/cycles/2023/agencies/{code}/")
                manager.post("finalize", f"/cycles/2023/agencies/{code}/finalize/")
        checked = portal.shell_json(CHECK, claims)
        if set(checked["states"].values()) != {"finalized"} or checked["problems"]:
            failures.append(f"finalizing again: {checked}")

        # 4. the database stopped under load
        failures.extend(database_outage(portal, cluster, where))
    finally:
        teardown(portal, cluster, folder, args.keep)
    for failure in failures:
        print("FAILED:", failure)
    print("FAULT TEST FAILED" if failures else "FAULT TEST PASSED")
    return 1 if failures else 0


def database_outage(portal, cluster, where):
    failures = []
    answers = []  # (time, kind, status, seconds, body excerpt)
    lock = threading.Lock()
    stop = threading.Event()
    code = where["auditor00"]
    # Everyone signs in before the clock starts: under load (pytest runs beside this test)
    # nine sign-ins can take longer than the few seconds before the database stops, and a
    # sign-in cut by the outage would end its worker before it asked anything.
    signed_in, sign_in_failures = threading.Semaphore(0), []

    def work(username, paths):
        user = User(portal.base, username)
        try:
            user.sign_in()
        except (requests.RequestException, SystemExit) as error:
            with lock:
                sign_in_failures.append(f"{username}: {error}")
            return
        finally:
            signed_in.release()
        while not stop.is_set():
            for kind, path in paths:
                started = time.monotonic()
                try:
                    response = user.get(kind, path)
                    status, text = response.status_code, response.text
                except requests.RequestException as error:
                    status, text = "no answer", str(error)
                with lock:
                    answers.append((started, kind, status, time.monotonic() - started, text))
            time.sleep(0.1)

    pages = [
        (
            "auditor00",
            [("overview", "/cycles/2023/"), ("scoring", f"/cycles/2023/agencies/{code}/scoring/")],
        ),
        ("staff00", [("documents", f"/cycles/2023/agencies/{where['staff00']}/documents/")]),
        ("manager", [("overview", "/cycles/2023/"), ("health", "/healthz")]),
    ]
    threads = [
        threading.Thread(target=work, args=(name, paths), daemon=True)
        for name, paths in pages
        for _copy in range(3)
    ]
    for thread in threads:
        thread.start()
    for _thread in threads:
        signed_in.acquire()
    if sign_in_failures:
        stop.set()
        return [f"signing in before the outage failed: {sign_in_failures}"]
    time.sleep(4)
    cluster.stop("fast")
    stopped = time.monotonic()  # the database is down from here
    time.sleep(8)
    restarting = time.monotonic()  # ... to here
    cluster.start()
    restarted = time.monotonic()
    time.sleep(10)
    stop.set()
    for thread in threads:
        thread.join()

    during = [a for a in answers if stopped < a[0] and a[0] + a[3] < restarting]
    after = [a for a in answers if a[0] > restarted]
    by_status = Counter(a[2] for a in answers)
    print(f"database outage: {len(answers)} requests, answers {dict(by_status)}")
    bad = [a for a in answers if a[2] not in (200, 503)]
    if bad:
        failures.append(f"{len(bad)} answers neither 200 nor 503, e.g. {bad[0][1:4]}")
    if not during or any(a[2] != 503 for a in during):
        failures.append("requests during the outage did not all get 503")
    page_503 = [a for a in during if a[1] != "health"]
    if page_503 and "系统暂时无法连接数据库" not in page_503[0][4]:
        failures.append("the 503 page does not carry the Chinese message")
    slowest = max((a[3] for a in during), default=0)
    first_ok = min((a[0] for a in after if a[2] == 200), default=None)
    if first_ok is None:
        failures.append("the portal did not recover after the database came back")
    else:
        print(
            f"during the outage every request answered 503 (slowest {slowest * 1000:.0f} ms); "
            f"first 200 again {first_ok - restarted:.2f} s after the database was back"
        )
        late = [a for a in after if a[0] > first_ok + 2 and a[2] != 200]
        if late:
            failures.append(f"{len(late)} failures more than 2 s after recovery")
    return failures


if __name__ == "__main__":
    sys.exit(main())
