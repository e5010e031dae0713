"""Production test: the "Production" section of docs/operations.md, run as written (make prodtest).

Reads the operations guide and does what it says, on loopback, with real parts:

- step 1's users and folders (`useradd`, `usermod -aG audit-portal www-data`, `createuser`,
  `createdb`, `mkdir`/`chown`/`chmod`), against a PostgreSQL cluster of this script's own;
- step 2's settings file and `portal()` function, and every `portal …` command of step 3;
- step 4's two systemd units, started the way systemd would (User, WorkingDirectory,
  EnvironmentFile, Environment, ExecStart): gunicorn and the task worker;
- step 5's nginx configuration, inside a main configuration like Debian's (`user www-data`),
  with a throw-away TLS certificate.

Only what cannot be the same on a test machine is changed, and said so in LOCAL: ports,
paths under a temporary folder, the database's socket, the mail server (a closed port on
loopback, so that reminders fail), a 2-worker gunicorn. Then a user signs in over HTTPS,
uploads a file and downloads it through X-Accel-Redirect (bytes and SHA-256 equal, nginx's
security headers, the request id in nginx's log and the portal's), a file nginx cannot read
gives the portal's Chinese page and a security event, an upload over nginx's limit gives the
Chinese 413 page, a manager gets the ZIP of all reports from the worker (a file, not a row),
a reminder fails cleanly against the unreachable mail server, a returned document reaches
the agency's WeCom group robot (a strict one on loopback) through the worker, `check
--deploy` passes (and
fails for a front-server user outside the group), and the logs carry one time zone with
its offset and no error.

    .venv/bin/python scripts/production_test.py [--keep]

Needs root (it creates the users `audit-portal` and, with nginx, `www-data`, as the guide
does), nginx, openssl and PostgreSQL's server programs. Exits 1 if anything does not hold.
"""

import argparse
import hashlib
import http.client
import io
import json
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import ssl
import stat
import subprocess
import sys
import time
import zipfile
from contextlib import suppress
from pathlib import Path

import requests
from lab import TOTP_KEY, Cluster, free_port, one_time_code, pdf_bytes, require_venv, workdir

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "operations.md"
HOST = "audit.bj.example.org"
SERVICE_USER = "audit-portal"
PASSWORD = "prod-test-password-2023"  # noqa: S105 -- throwaway accounts in a throwaway database
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \+0800 [A-Z]+ ")

# requests and curl resolve the guide's host name to loopback (as /etc/hosts would).
_getaddrinfo = socket.getaddrinfo


def _loopback_for_host(host, *args, **kwargs):
    return _getaddrinfo("127.0.0.1" if host == HOST else host, *args, **kwargs)


socket.getaddrinfo = _loopback_for_host


# ------------------------------------------------------- reading the operations guide


def production_section() -> str:
    text = GUIDE.read_text(encoding="utf-8")
    start = text.index("## Production\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def code_blocks(section: str) -> list[tuple[str, str]]:
    return re.findall(r"```(\w*)\n(.*?)```", section, flags=re.DOTALL)


def block(section: str, language: str, marker: str) -> str:
    found = [text for lang, text in code_blocks(section) if lang == language and marker in text]
    if len(found) != 1:
        raise SystemExit(f"docs/operations.md: expected one ```{language} block with {marker!r}")
    return found[0]


class Local:
    """What this machine changes in the guide's text: ports and paths, nothing else."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.https = free_port()
        self.http = free_port()
        self.gunicorn = free_port()
        self.closed_mail_port = free_port()  # nothing listens there
        self.var = folder / "var"
        self.env_file = folder / "audit-portal.env"
        self.cert = folder / "audit.pem"
        self.key = folder / "audit.key"
        self.nginx_logs = folder / "nginx-log"
        self.backups = folder / "backups"
        self.checkout = ROOT / "var" / "production-checkout"

    def make_checkout(self):
        """/srv/audit-portal: this checkout's files (symlinked), with a virtualenv of Debian's
        own python3. This machine's default python3 lives under /root, which the service
        user may not enter; a server's /usr/bin/python3 is what step 1's venv.sh finds there.
        The folder is kept in var/ between runs, so the virtualenv is built once (venv.sh
        reinstalls when the requirements change)."""
        self.checkout.mkdir(parents=True, exist_ok=True)
        for entry in self.checkout.iterdir():
            if entry.is_symlink():
                entry.unlink()
        for entry in ROOT.iterdir():
            if entry.name not in {".venv", "var", ".git"}:
                (self.checkout / entry.name).symlink_to(entry)
        python = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else "python3"
        done = subprocess.run(
            [str(self.checkout / "scripts" / "venv.sh"), "requirements.txt"],
            cwd=self.checkout,
            env={**os.environ, "PYTHON": python},
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise SystemExit(f"venv.sh failed:\n{done.stdout}{done.stderr}")

    def __call__(self, text: str) -> str:
        for old, new in [
            ("/etc/audit-portal.env", str(self.env_file)),
            ("/srv/audit-portal/var", str(self.var)),
            ("/srv/audit-portal", str(self.checkout)),
            ("/srv/backups", str(self.backups)),
            ("/etc/ssl/certs/audit.pem", str(self.cert)),
            ("/etc/ssl/private/audit.key", str(self.key)),
            ("/var/log/nginx/", f"{self.nginx_logs}/"),
            ("127.0.0.1:8000", f"127.0.0.1:{self.gunicorn}"),
            ("listen 443 ssl;", f"listen 127.0.0.1:{self.https} ssl;"),
            ("listen 80;", f"listen 127.0.0.1:{self.http};"),
        ]:
            text = text.replace(old, new)
        return text


# ---------------------------------------------------------------- running it


def run(command: list[str], *, env=None, check=True):
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if check and done.returncode:
        raise SystemExit(f"failed: {shlex.join(command)}\n{done.stdout}{done.stderr}")
    return done


def bash(script: str, *, env=None, check=True):
    """A line of the guide's shell commands, as root's shell would run it."""
    return run(["/bin/bash", "-c", script], env=env, check=check)


def user_exists(name: str) -> bool:
    return run(["id", "-u", name], check=False).returncode == 0


def step_one(section: str, local: Local, cluster: Cluster) -> list[str]:
    """Users, database and folders as step 1 says; packages and the checkout are already
    there (make test installed them), and the machine's time zone is left alone (nginx gets
    TZ instead)."""
    done = []
    text = block(section, "sh", "useradd")
    env = {**os.environ, "PGHOST": str(cluster.socket_dir), "PGPORT": str(cluster.port)}
    for line in local(text).splitlines():
        line = line.split("  #")[0].strip()
        if not line or line.startswith(("apt-get", "git clone", "scripts/", "timedatectl")):
            continue
        if line.startswith("useradd") and user_exists(SERVICE_USER):
            continue
        bash(line, env=env)
        done.append(line)
    return done


def write_settings(section: str, local: Local, cluster: Cluster) -> dict:
    """Step 2's file, with this machine's differences (LOCAL) in place of its lines."""
    secret = hashlib.sha256(os.urandom(32)).hexdigest()
    local_values = {
        "SECRET_KEY": secret,
        # the cluster's own socket and port; DATABASE_URL stays postgres:///audit_portal
        "PGHOST": str(cluster.socket_dir),
        "PGPORT": str(cluster.port),
        # a mail server that is not there: reminders must fail cleanly
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(local.closed_mail_port),
        "EMAIL_TIMEOUT": "3",
        "GUNICORN_BIND": f"127.0.0.1:{local.gunicorn}",
        "GUNICORN_WORKERS": "2",
    }
    lines = []
    for line in local(block(section, "sh", "SECRET_KEY=")).splitlines():
        name = line.split("=", 1)[0]
        if line.startswith("#") or name not in local_values:
            lines.append(line)
    lines.append("# production_test.py: this machine's differences")
    lines += [f"{name}={value}" for name, value in local_values.items()]
    local.env_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    local.env_file.chmod(0o600)
    return environment_file(local.env_file)


def environment_file(path: Path) -> dict:
    """Read an EnvironmentFile as systemd does (NAME=value, # comments)."""
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            name, value = line.split("=", 1)
            values[name.strip()] = value.strip()
    return values


def portal_command(section: str, local: Local, *args: str, extra_env=None, check=True):
    """`portal …` with the guide's own shell function."""
    function = local(block(section, "sh", "portal() {").split("\nportal ")[0])
    env = {**os.environ, **(extra_env or {})}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return bash(function + "\nportal " + shlex.join(args), env=env, check=check)


def portal(section: str, local: Local, *args: str, extra_env=None) -> str:
    return portal_command(section, local, *args, extra_env=extra_env).stdout


class Unit:
    """A systemd service from the guide, started as systemd would start it."""

    def __init__(self, text: str, local: Local, log: Path):
        self.fields = {}
        self.environment = {}
        for line in local(text).splitlines():
            if "=" not in line or line.startswith(("#", "[")):
                continue
            name, value = line.split("=", 1)
            if name == "Environment":
                key, item = value.split("=", 1)
                self.environment[key] = item
            else:
                self.fields[name] = value
        self.log = log
        self.process = None

    def start(self):
        env = {
            "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "LANG": "C.UTF-8",
            **environment_file(Path(self.fields["EnvironmentFile"])),
            **self.environment,
        }
        # as systemd does for User=: the user's uid, primary group and supplementary groups
        user = pwd.getpwnam(self.fields["User"])
        env.update(HOME=user.pw_dir, USER=user.pw_name, LOGNAME=user.pw_name)
        self.process = subprocess.Popen(
            shlex.split(self.fields["ExecStart"]),
            cwd=self.fields["WorkingDirectory"],
            env=env,
            user=user.pw_uid,
            group=user.pw_gid,
            extra_groups=os.getgrouplist(user.pw_name, user.pw_gid),
            stdout=open(self.log, "ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


NGINX_MAIN = """# like Debian's /etc/nginx/nginx.conf, with this test's folders
user www-data;
worker_processes 2;
pid {folder}/nginx.pid;
error_log {folder}/nginx-log/error.log;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    ssl_protocols TLSv1.2 TLSv1.3;
    access_log {folder}/nginx-log/access.log;
    client_body_temp_path {folder}/nginx-tmp/body;
    proxy_temp_path {folder}/nginx-tmp/proxy;
    fastcgi_temp_path {folder}/nginx-tmp/fastcgi;
    uwsgi_temp_path {folder}/nginx-tmp/uwsgi;
    scgi_temp_path {folder}/nginx-tmp/scgi;
    include {folder}/audit-portal.conf;
}}
"""


class Nginx:
    def __init__(self, section: str, local: Local):
        self.folder = local.folder
        (self.folder / "audit-portal.conf").write_text(
            local(block(section, "nginx", "internal;")),
            encoding="utf-8",
        )
        self.main = self.folder / "nginx.conf"
        self.main.write_text(NGINX_MAIN.format(folder=self.folder), encoding="utf-8")
        for folder in (local.nginx_logs, self.folder / "nginx-tmp"):
            folder.mkdir()
            shutil.chown(folder, "www-data")
        self.process = None

    def start(self):
        run(["nginx", "-t", "-q", "-c", str(self.main)])
        env = {**os.environ, "TZ": "Asia/Shanghai"}  # as after step 1's timedatectl
        self.process = subprocess.Popen(
            ["nginx", "-c", str(self.main), "-g", "daemon off;"],  # noqa: S607
            env=env,
            stdout=open(self.folder / "nginx-log" / "stdout.log", "ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGQUIT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def certificate(local: Local):
    run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", f"/CN={HOST}", "-addext", f"subjectAltName=DNS:{HOST}",
            "-keyout", str(local.key), "-out", str(local.cert),
        ]
    )  # fmt: skip


SEED = """
import json
from django.contrib.auth.hashers import make_password
from accounts.models import Role, User
from agencies.models import Agency, Audit
password = make_password({password!r})
# six audits are enough for the worker's ZIP; the rest of the roster is left out
Audit.objects.filter(cycle__year=2023, serial__gt=6).delete()
manager = User.objects.create(username="manager", role=Role.MANAGER, password=password,
    full_name="主任", email="manager@example.org")
from django_otp.plugins.otp_totp.models import TOTPDevice
TOTPDevice.objects.create(user=manager, name="phone", confirmed=True, key={totp_key!r})
User.objects.create(username="staff004", role=Role.AGENCY_STAFF, password=password,
    agency=Agency.objects.get(code="004"), full_name="朝阳经办", email="chaoyang@example.org")
print(json.dumps({{"audits": Audit.objects.filter(cycle__year=2023).count()}}))
"""


class Browser:
    """A person's HTTPS session through nginx, as a browser would send it."""

    def __init__(self, local: Local):
        self.base = f"https://{HOST}:{local.https}"
        self.origin = f"https://{HOST}"  # what the page's address is behind port 443
        self.session = requests.Session()
        # per request: a session's own verify loses to REQUESTS_CA_BUNDLE in the environment
        self.verify = str(local.cert)
        self.csrf = ""

    def get(self, path, **kwargs):
        response = self.session.get(self.base + path, timeout=60, verify=self.verify, **kwargs)
        match = (
            CSRF.search(response.text)
            if "text/html" in response.headers.get("Content-Type", "")
            else None
        )
        if match:
            self.csrf = match.group(1)
        return response

    def post(self, path, data=None, **kwargs):
        headers = {"X-CSRFToken": self.csrf, "Referer": self.origin + path}
        headers.update(kwargs.pop("headers", {}))
        return self.session.post(
            self.base + path, data=data, headers=headers, timeout=120, verify=self.verify, **kwargs
        )

    def sign_in(self, username):
        self.get("/accounts/login/")
        response = self.post(
            "/accounts/login/",
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": self.csrf},
            allow_redirects=False,
        )
        if response.status_code != 302:
            raise SystemExit(f"{username} could not sign in: {response.status_code}")
        if response.headers["Location"].endswith("/accounts/two-factor/verify/"):
            # a manager's second step: the code of the phone (TOTP, as the app computes it)
            self.get("/accounts/two-factor/verify/")
            response = self.post(
                "/accounts/two-factor/verify/",
                {"code": one_time_code(), "csrfmiddlewaretoken": self.csrf},
                allow_redirects=False,
            )
            if response.status_code != 302:
                raise SystemExit(f"{username}'s one-time code was refused")
        self.csrf = ""


class Checks:
    def __init__(self):
        self.failed = []

    def __call__(self, ok: bool, what: str, detail: str = ""):
        print(("ok   " if ok else "FAIL ") + what + (f": {detail}" if detail and not ok else ""))
        if not ok:
            self.failed.append(what)


def wait_for(url: str, verify=True, timeout=60.0, headers=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with suppress(requests.RequestException):
            answer = requests.get(url, timeout=2, verify=verify, headers=headers)
            if answer.status_code == 200:
                return
        time.sleep(0.3)
    raise SystemExit(f"{url} did not answer 200 within {timeout} s")


def nginx_log_lines(local: Local) -> list[str]:
    path = local.nginx_logs / "audit-portal.log"
    return path.read_text(encoding="utf-8", errors="replace").splitlines() if path.exists() else []


def over_the_limit(local: Local, cookie: str, csrf: str, path: str) -> tuple[int, str]:
    """Announce a 120 MB upload and send only its first bytes: nginx answers at once."""
    context = ssl.create_default_context(cafile=str(local.cert))
    connection = http.client.HTTPSConnection(HOST, local.https, context=context, timeout=30)
    connection.putrequest("POST", path)
    connection.putheader("Content-Type", "multipart/form-data; boundary=x")
    connection.putheader("Content-Length", str(120 * 1024 * 1024))
    connection.putheader("Cookie", cookie)
    connection.putheader("X-CSRFToken", csrf)
    connection.putheader("Referer", f"https://{HOST}{path}")
    connection.endheaders()
    with suppress(OSError):
        connection.send(b"--x\r\n" + b"\0" * 65536)
    response = connection.getresponse()
    body = response.read().decode("utf-8", "replace")
    connection.close()
    return response.status, body


def exercise(section: str, local: Local, check: Checks, units: dict):
    base_http = f"http://{HOST}:{local.http}"
    # -- the HTTPS redirect, and /healthz past it
    redirect = requests.get(base_http + "/cycles/", allow_redirects=False, timeout=10)
    check(
        redirect.status_code == 301
        and redirect.headers.get("Location") == f"https://{HOST}/cycles/",
        "port 80 redirects to HTTPS",
        f"{redirect.status_code} {redirect.headers.get('Location')}",
    )
    probes = [
        line for line in block(section, "sh", "/healthz").splitlines() if line.startswith("curl")
    ]
    for probe in probes:
        probe = (
            local(probe)
            .replace(":443:", f":{local.https}:")
            .replace(f"https://{HOST}/", f"https://{HOST}:{local.https}/")
        )
        probe = probe.replace("curl -fsS", f"curl -fsS --cacert {local.cert}")
        answer = bash(probe, check=False)
        check(
            answer.returncode == 0 and '"status": "ok"' in answer.stdout,
            f"monitoring probe: {probe.split()[-1]}",
            answer.stdout + answer.stderr,
        )

    # -- the security administrator the guide creates: the second factor comes first
    officer = Browser(local)
    officer.get("/accounts/login/")
    answer = officer.post(
        "/accounts/login/",
        {"username": "secadmin", "password": PASSWORD, "csrfmiddlewaretoken": officer.csrf},
        allow_redirects=False,
    )
    check(
        answer.status_code == 302 and answer.headers.get("Location") == "/accounts/two-factor/",
        "the security administrator is asked to set up the second factor",
        f"{answer.status_code} {answer.headers.get('Location')}",
    )
    setup = officer.get("/accounts/two-factor/")
    check(
        setup.status_code == 200 and 'src="data:image/svg+xml' in setup.text,
        "the enrolment page draws its QR code itself",
        str(setup.status_code),
    )

    # -- agency staff: sign in, upload, download through X-Accel-Redirect
    staff = Browser(local)
    staff.sign_in("staff004")
    page = staff.get("/cycles/2023/agencies/004/documents/")
    check(page.status_code == 200, "staff sees the documents page over HTTPS")
    for header in ("Strict-Transport-Security", "Content-Security-Policy", "X-Frame-Options"):
        check(header in page.headers, f"page carries {header}")
    content = pdf_bytes("production-test", 300 * 1024)
    digest = hashlib.sha256(content).hexdigest()
    upload = staff.post(
        "/cycles/2023/agencies/004/documents/1/upload/",
        files={"files": ("组织机构 证明.pdf", content, "application/pdf")},
        headers={"X-Requested-With": "XMLHttpRequest"},
    )
    check(
        upload.status_code == 201,
        "upload through nginx",
        f"{upload.status_code} {upload.text[:200]}",
    )
    file_id = upload.json().get("id") if upload.status_code == 201 else None
    if file_id is None:
        listing = staff.get("/cycles/2023/agencies/004/documents/").text
        found = re.findall(r"/cycles/2023/agencies/004/files/(\d+)/", listing)
        file_id = int(found[0]) if found else 0
    download = staff.get(f"/cycles/2023/agencies/004/files/{file_id}/")
    check(download.status_code == 200, "download answers 200", str(download.status_code))
    check(download.content == content, "downloaded bytes equal the upload")
    check(hashlib.sha256(download.content).hexdigest() == digest, "SHA-256 equal")
    check("ETag" in download.headers, "the file was sent by nginx (X-Accel-Redirect)")
    disposition = download.headers.get("Content-Disposition", "")
    check(
        disposition.startswith("attachment;") and "filename*=utf-8''" in disposition,
        "sent as an attachment under its own name",
        disposition,
    )
    for header, value in [
        ("X-Content-Type-Options", "nosniff"),
        ("Strict-Transport-Security", "max-age=31536000; includeSubDomains"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
        ("Content-Security-Policy", "default-src 'none'; sandbox"),
    ]:
        check(
            download.headers.get(header) == value,
            f"download carries {header}",
            str(download.headers),
        )
    for leaked in ("X-Accel-Redirect", "X-Evidence-Disposition"):
        check(leaked not in download.headers, f"{leaked} is not passed to the browser")
    request_id = download.headers.get("X-Request-ID", "")
    nginx_lines = [line for line in nginx_log_lines(local) if f"request_id={request_id}" in line]
    check(bool(request_id) and len(nginx_lines) == 1, "nginx's log has the download's request id")
    check(
        bool(nginx_lines) and re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00 ", nginx_lines[0]),
        "nginx's line has Beijing time with its offset",
        nginx_lines[0] if nginx_lines else "",
    )
    portal_log = units["web"].log.read_text(encoding="utf-8", errors="replace")
    check(
        f"[{request_id}] portal.access GET /cycles/2023/agencies/004/files/{file_id}/ 200"
        in portal_log,
        "the portal's log has the same request id",
    )
    key = (
        portal(
            section,
            local,
            "shell",
            "-c",
            f"from evidence.models import EvidenceFile; print(EvidenceFile.objects.get(pk={file_id}).key)",
        )
        .strip()
        .splitlines()[-1]
    )
    outside = staff.get(f"/protected-evidence/{key}")
    check(outside.status_code == 404, "the internal location is not reachable from outside")
    stored = local.var / "evidence" / key
    info = stored.stat()
    check(stat.S_IMODE(info.st_mode) == 0o640, "stored file mode 640", oct(info.st_mode))
    check(
        stat.S_IMODE(stored.parent.stat().st_mode) == 0o2750
        and stat.S_IMODE((local.var / "evidence").stat().st_mode) == 0o2750,
        "evidence folders mode 2750 (setgid)",
    )
    deploy = portal_command(
        section, local, "check", "--deploy", "--fail-level", "WARNING", check=False
    )
    check(deploy.returncode == 0, "portal check --deploy passes", deploy.stdout + deploy.stderr)
    outsider = portal_command(
        section,
        local,
        "check",
        "--deploy",
        extra_env={"EVIDENCE_FRONT_SERVER_USER": "nobody"},
        check=False,
    )
    check(
        outsider.returncode != 0 and "evidence.E004" in outsider.stdout + outsider.stderr,
        "check --deploy fails when nginx's user is outside the group",
        outsider.stdout + outsider.stderr,
    )

    # -- a file stored before the modes changed: the portal sends it itself
    stored.chmod(0o600)
    old = staff.get(f"/cycles/2023/agencies/004/files/{file_id}/")
    check(
        old.status_code == 200 and old.content == content and "ETag" not in old.headers,
        "a file nginx may not read is sent by the portal",
    )
    stored.chmod(0o640)
    # -- nginx cannot open the file after all: the portal's page, not a saved error page
    stored.parent.chmod(0o2700)
    failed = staff.get(f"/cycles/2023/agencies/004/files/{file_id}/")
    stored.parent.chmod(0o2750)
    check(
        failed.status_code == 503, "nginx's 403 becomes the portal's 503", str(failed.status_code)
    )
    check("Content-Disposition" not in failed.headers, "no attachment header on the error page")
    check("文件暂时无法下载" in failed.text, "the error page is the portal's, in Chinese")
    failed_id = failed.headers.get("X-Request-ID", "")
    events = portal(
        section,
        local,
        "shell",
        "-c",
        "from security.models import SecurityEvent; import json; print(json.dumps(list("
        "SecurityEvent.objects.filter(kind='download_failed').values_list('request_id', 'status'))))",
    )
    check(
        json.loads(events.strip().splitlines()[-1]) == [[failed_id, 503]],
        "the security log records the download as not delivered, with its request id",
        events,
    )

    # -- an upload over nginx's limit: the portal's Chinese page
    cookie = "; ".join(f"{c.name}={c.value}" for c in staff.session.cookies)
    staff.get("/cycles/2023/agencies/004/documents/")
    status, body = over_the_limit(
        local, cookie, staff.csrf, "/cycles/2023/agencies/004/documents/2/upload/"
    )
    check(
        status == 413 and "文件太大，没有上传" in body,
        "413 from nginx in Chinese",
        f"{status} {body[:300]}",
    )

    # -- a manager: the ZIP of all reports from the worker, a reminder without a mail server
    manager = Browser(local)
    manager.sign_in("manager")
    manager.get("/cycles/2023/")
    started = manager.post("/cycles/2023/reports/bundle/", allow_redirects=False)
    location = started.headers.get("Location", "")
    check(started.status_code == 302 and "/reports/bundle/" in location, "the ZIP is queued")
    deadline = time.monotonic() + 240
    ready = False
    while location and time.monotonic() < deadline and not ready:
        ready = "下载 ZIP" in manager.get(location).text
        time.sleep(1)
    check(ready, "the worker built the ZIP")
    if ready:
        archive = manager.get(location + "download/")
        names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
        check(
            len(names) == 6 and all(n.endswith(".pdf") for n in names), "the ZIP has the 6 reports"
        )
        files = list((local.var / "bundles").glob("*.zip"))
        check(
            len(files) == 1 and stat.S_IMODE(files[0].stat().st_mode) == 0o600,
            "the ZIP is a private file in var/bundles",
        )
    manager.get("/cycles/2023/documents/")
    began = time.monotonic()
    reminded = manager.post("/cycles/2023/documents/remind/")
    elapsed = time.monotonic() - began
    check(
        reminded.status_code == 200 and "未发送" in reminded.text and "拒绝连接" in reminded.text,
        "a reminder fails cleanly against an unreachable mail server",
        f"{reminded.status_code} {reminded.text[:300]}",
    )
    check(elapsed < 10, f"and quickly ({elapsed:.1f} s)")

    # -- a returned document reaches 朝阳's WeCom group through the worker
    robots_told(section, local, manager, check)


def robots_told(section: str, local: Local, manager, check: Checks):
    """A group robot's server on loopback (the tests' strict one) as 朝阳's WeCom group: the
    manager returns a document; the request answers at once, and the worker posts it."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from notifications.tests.robot_server import running

    with running() as server:
        portal(
            section,
            local,
            "shell",
            "-c",
            "from agencies.models import Agency, Audit; "
            "from evidence.models import DocumentRequest, RequiredDocument; "
            "from notifications.models import Robot; "
            "audit = Audit.objects.get(cycle__year=2023, agency__code='004'); "
            "DocumentRequest.objects.update_or_create(audit=audit, "
            "document=RequiredDocument.objects.get(cycle=audit.cycle, number=1), "
            "defaults={'status': 'submitted'}); "
            f"Robot.objects.create(name='朝阳企业微信群', kind='wecom', agency=audit.agency, "
            f"webhook={server.wecom_url()!r})",
        )
        manager.get("/cycles/2023/agencies/004/documents/")
        returned = manager.post(
            "/cycles/2023/agencies/004/documents/review/",
            data={"action": "return", "document": "1", "reason": "请补充盖章页"},
        )
        check(
            returned.status_code == 200, "the manager returns a document", str(returned.status_code)
        )
        deadline = time.monotonic() + 60
        while not server.received and time.monotonic() < deadline:
            time.sleep(0.5)
        posted = [m["markdown"]["content"] for _kind, m in server.received]
        check(
            len(posted) == 1 and "被退回补充：请补充盖章页" in posted[0],
            "the worker posts the notification to the agency's WeCom group",
            repr(posted) + repr(server.refused),
        )


def logs_are_clean(local: Local, units: dict, check: Checks):
    for name, unit in units.items():
        text = unit.log.read_text(encoding="utf-8", errors="replace")
        lines = [line for line in text.splitlines() if line.strip()]
        check(bool(lines), f"{name}: it logged")
        stray = [line for line in lines if not LOG_LINE.match(line)]
        check(
            not stray, f"{name}: every line in Beijing time with its offset", "\n".join(stray[:5])
        )
        for bad in ("Traceback", "control socket", "Permission denied", " ERROR [-] gunicorn"):
            check(bad not in text, f"{name}: no {bad!r} in its log")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    arguments = parser.parse_args()
    require_venv()
    if os.geteuid() != 0:
        print("production_test.py needs root (it creates users and runs nginx as www-data).")
        return 1
    for program in ("nginx", "openssl", "curl"):
        if shutil.which(program) is None:
            print(f"{program} is missing: scripts/system-packages.sh test installs it.")
            return 1
    section = production_section()
    folder = workdir("audit-portal-production-")
    local = Local(folder)
    cluster = Cluster(folder)
    units = {}
    nginx = None
    check = Checks()
    began = time.monotonic()
    try:
        cluster.init()
        local.make_checkout()
        for line in step_one(section, local, cluster):
            print(f"step 1: {line}")
        write_settings(section, local, cluster)
        for line in block(section, "sh", "portal load_reference_data").splitlines():
            arguments_ = shlex.split(line)[1:]
            extra = {}
            if arguments_[0] == "createsuperuser":
                arguments_ += ["--noinput", "--username", "admin", "--email", "admin@example.org"]
                extra = {
                    "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
                    "DJANGO_SUPERUSER_FULL_NAME": "管理员",
                }
            elif arguments_[0] == "create_security_officer":
                # the guide's line as typed, the password given as a script would
                arguments_ += ["--noinput"]
                extra = {"SECURITY_OFFICER_PASSWORD": PASSWORD}
            portal(section, local, *arguments_, extra_env=extra)
            print(f"step 3: portal {' '.join(shlex.split(line)[1:])}")
        seeded = portal(
            section, local, "shell", "-c", SEED.format(password=PASSWORD, totp_key=TOTP_KEY)
        )
        print(f"seeded: {seeded.strip().splitlines()[-1]}")
        for name, marker in (("web", "gunicorn -c"), ("worker", "db_worker")):
            units[name] = Unit(block(section, "ini", marker), local, folder / f"{name}.log")
            units[name].start()
        wait_for(f"http://127.0.0.1:{local.gunicorn}/healthz", headers={"Host": HOST})
        certificate(local)
        nginx = Nginx(section, local)
        nginx.start()
        wait_for(f"https://{HOST}:{local.https}/healthz", verify=str(local.cert))
        exercise(section, local, check, units)
    finally:
        for unit in units.values():
            unit.stop()
        if nginx:
            nginx.stop()
        cluster.stop("fast")
    logs_are_clean(local, units, check)
    print(f"{time.monotonic() - began:.0f} s")
    if arguments.keep or check.failed:
        print(f"kept {folder}")
    else:
        shutil.rmtree(folder, ignore_errors=True)
    if check.failed:
        print(f"production test FAILED: {len(check.failed)} checks")
        return 1
    print("production test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
