"""The evidence part of `make bench`: a 200 MB upload and a ZIP of 50 agencies × 10 files,
against a real server process whose memory is read from /proc.

Called by scripts/bench.py after it has prepared the scratch database; runs the portal with
`manage.py runserver --noreload` on a free loopback port, in the same environment.
"""

import http.client
import http.cookiejar
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UPLOAD_MB = int(os.environ.get("BENCH_UPLOAD_MB", "200"))
ZIP_FILE_KB = int(os.environ.get("BENCH_ZIP_FILE_KB", "200"))
MEMORY_LIMIT_MB = 50
CHUNK = 1024 * 1024


def rss_peak_mb(pid: int) -> float:
    """The process's peak resident memory so far (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Session:
    """A signed-in browser, as far as the portal can tell: cookies and the CSRF token."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def sign_in(self, username: str, password: str):
        self.opener.open(self.base + "/accounts/login/").read()
        data = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": self.csrf()}
        ).encode()
        self.opener.open(urllib.request.Request(self.base + "/accounts/login/", data=data)).read()
        assert any(c.name == "sessionid" for c in self.jar), "sign-in failed"

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


def upload_streamed(
    session: Session, port: int, path: str, name: str, megabytes: int
) -> tuple[int, float]:
    """POST a PDF of ``megabytes`` MB without ever holding it in memory; (status, seconds)."""
    boundary = "----portal-bench-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    body_size = megabytes * CHUNK
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    connection.putrequest("POST", path)
    connection.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    connection.putheader("Content-Length", str(len(head) + body_size + len(tail)))
    connection.putheader("Cookie", session.cookie_header())
    connection.putheader("X-CSRFToken", session.csrf())
    connection.putheader("X-Requested-With", "XMLHttpRequest")
    connection.putheader("Referer", f"http://127.0.0.1:{port}/")
    connection.endheaders()
    connection.send(head)
    block = b"%PDF-1.4\n" + b"0" * (CHUNK - 9)
    connection.send(block)
    filler = b"1" * CHUNK
    for _ in range(megabytes - 1):
        connection.send(filler)
    connection.send(tail)
    response = connection.getresponse()
    response.read()
    elapsed = time.perf_counter() - started
    connection.close()
    return response.status, elapsed


def raw_write_seconds(directory: str, megabytes: int) -> float:
    """The same bytes written straight to the same disk and flushed to it (fsync): the
    floor an upload's time is compared with."""
    path = os.path.join(directory, "raw-write.bin")
    block = b"1" * CHUNK
    started = time.perf_counter()
    with open(path, "wb") as file:
        for _ in range(megabytes):
            file.write(block)
        file.flush()
        os.fsync(file.fileno())
    elapsed = time.perf_counter() - started
    os.remove(path)
    return elapsed


def fill_fifty_agencies(uploader, size_kb: int) -> int:
    """Ten files for every agency of the cycle, stored through the real service."""
    from agencies.models import Audit
    from evidence import services
    from evidence.models import RequiredDocument

    count = 0
    documents = list(RequiredDocument.objects.filter(cycle__year=2023).order_by("number"))
    for audit in Audit.objects.filter(cycle__year=2023).select_related("cycle", "agency"):
        audit.auditors.add(uploader)
        for document in documents:
            content = b"%PDF-1.4\n" + os.urandom(size_kb * 1024 - 9)
            services.store_bytes(
                audit=audit,
                document=document,
                name=f"{document.number:02d}-扫描件.pdf",
                content=content,
                by=uploader,
            )
            count += 1
    return count


def run(auditor, manager, persona_password: str) -> bool:
    from django.conf import settings

    count = fill_fifty_agencies(auditor, ZIP_FILE_KB)
    port = free_port()
    environment = dict(os.environ, EVIDENCE_MAX_UPLOAD_MB=str(UPLOAD_MB + 50), PYTHONUNBUFFERED="1")
    server = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "runserver",
            f"127.0.0.1:{port}",
            "--noreload",
            "--nothreading",
        ],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                # The server we just started, on loopback.
                urllib.request.urlopen(base + "/healthz", timeout=1).read()  # nosec B310
                break
            except OSError:
                time.sleep(0.1)
        staff = Session(base)
        staff.sign_in("chaoyang", persona_password)
        staff.opener.open(base + "/cycles/2023/agencies/004/documents/").read()  # warm up
        before = rss_mb(server.pid)
        peak_before = rss_peak_mb(server.pid)

        status, upload_seconds = upload_streamed(
            staff, port, "/cycles/2023/agencies/004/documents/3/upload/", "大文件.pdf", UPLOAD_MB
        )
        upload_growth = rss_peak_mb(server.pid) - max(peak_before, before)
        raw_seconds = raw_write_seconds(str(settings.EVIDENCE_ROOT), UPLOAD_MB)

        office = Session(base)
        office.sign_in("mona", persona_password)
        peak_before_zip = rss_peak_mb(server.pid)
        started = time.perf_counter()
        received = 0
        with office.opener.open(base + "/cycles/2023/documents.zip") as response:
            while chunk := response.read(CHUNK):
                received += len(chunk)
        zip_seconds = time.perf_counter() - started
        zip_growth = rss_peak_mb(server.pid) - peak_before_zip
    finally:
        server.terminate()
        server.wait(timeout=30)

    upload_ok = status == 201 and upload_growth <= MEMORY_LIMIT_MB
    zip_ok = zip_growth <= MEMORY_LIMIT_MB and received > count * ZIP_FILE_KB * 1024
    print()
    print(
        "Evidence files (server process: manage.py runserver, memory from /proc; the 2023 "
        "cycle of 50 agencies, whatever BENCH_AGENCIES is)"
    )
    print(
        f"upload {UPLOAD_MB} MB: HTTP {status}, {upload_seconds:.1f} s ({UPLOAD_MB / upload_seconds:.0f} MB/s); "
        f"raw disk write with fsync {raw_seconds:.2f} s ({UPLOAD_MB / raw_seconds:.0f} MB/s); "
        f"ratio {upload_seconds / raw_seconds:.1f}; peak memory growth {upload_growth:.1f} MB "
        f"(limit {MEMORY_LIMIT_MB})  {'ok' if upload_ok else 'FAILED'}"
    )
    print(
        f"zip of {count} files ({received / CHUNK:.0f} MB): {zip_seconds:.1f} s "
        f"({received / CHUNK / zip_seconds:.0f} MB/s); peak memory growth {zip_growth:.1f} MB  "
        f"{'ok' if zip_ok else 'FAILED'}"
    )
    return upload_ok and zip_ok


if __name__ == "__main__":
    print("Run through scripts/bench.py (make bench).")
