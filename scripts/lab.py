"""A production-like portal on loopback, for the load and fault scripts.

    Cluster   a PostgreSQL cluster of its own (initdb into a temporary folder, its own
              port, never the machine's shared server), which the scripts may stop
    Portal    the portal's files (evidence, static) in a temporary folder, gunicorn with
              gunicorn.conf.py, DEBUG off, started and killed as a whole process group
    User      a browser-like session: signs in through the login form, keeps the CSRF
              token of the pages, times each request by kind

Everything listens on 127.0.0.1 only and is removed afterwards.
"""

import hashlib
import itertools
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import suppress
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PASSWORD = "lab-password-2023"  # noqa: S105 -- throwaway accounts in a throwaway database
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# a standard's form on the scoring page: its address, then its version field (by standard id)
SCORING_ITEM = re.compile(
    r'hx-post="/cycles/2023/agencies/\d+/scoring/(\d+-\d+)/".*?'
    r'name="version" id="version-(\d+)" value="(\d+)"',
    re.DOTALL,
)


# The authenticator of the test accounts that sign in with a second factor (RFC 6238's key).
TOTP_KEY = "3132333435363738393031323334353637383930"


def one_time_code() -> str:
    """What the phone of a test account with TOTP_KEY shows now."""
    from django_otp.oath import totp

    return f"{totp(bytes.fromhex(TOTP_KEY)):06d}"


# A code from the phone is taken once per 30 seconds (a replayed code is refused), and the
# fault and load tests sign the manager in again and again: they use its recovery codes,
# one each time, as a person without the phone would.
RECOVERY_CODES = [f"lab{n:05d}" for n in range(500)]
_next_recovery_code = itertools.count()


def recovery_code() -> str:
    return RECOVERY_CODES[next(_next_recovery_code)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values, fraction):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def _pg_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    raise SystemExit(f"{name} not found: install PostgreSQL's server package (postgresql).")


class Cluster:
    """A throwaway PostgreSQL cluster on its own port. As root it runs as `postgres`."""

    def __init__(self, workdir: Path):
        self.dir = workdir / "pgdata"
        self.socket_dir = workdir / "pgsocket"
        self.log = workdir / "postgresql.log"
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0

    def _run(self, *args, check=True):
        command = list(args)
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, check=False, capture_output=True, text=True)
        if check and done.returncode:
            raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")
        return done

    def init(self):
        for folder in (self.dir, self.socket_dir):
            folder.mkdir(parents=True)
            if self.as_postgres:
                shutil.chown(folder, "postgres", "postgres")
        if self.as_postgres:
            self.log.touch()
            shutil.chown(self.log, "postgres", "postgres")
            shutil.chown(self.dir.parent, "postgres", "postgres")
        self._run(
            _pg_bin("initdb"), "-D", str(self.dir), "-U", "postgres", "--auth=trust", "-E", "UTF8"
        )
        self.start()
        self._run(
            _pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "portal"
        )

    def start(self):
        options = f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 -c max_connections=200"
        self._run(
            _pg_bin("pg_ctl"),
            "-D",
            str(self.dir),
            "-l",
            str(self.log),
            "-o",
            options,
            "-w",
            "start",
        )

    def stop(self, mode="fast"):
        self._run(_pg_bin("pg_ctl"), "-D", str(self.dir), "-m", mode, "-w", "stop", check=False)

    def wait_for_open_transaction(self, older_than: float, timeout: float) -> bool:
        """Wait until some connection of the portal has held a transaction open for
        `older_than` seconds (a finalization rendering its report, say)."""
        import psycopg2

        deadline = time.monotonic() + timeout
        connection = psycopg2.connect(self.url)
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                while time.monotonic() < deadline:
                    cursor.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = 'portal' "
                        "AND pid <> pg_backend_pid() "
                        "AND xact_start < clock_timestamp() - %s * interval '1 second'",
                        [older_than],
                    )
                    if cursor.fetchone()[0]:
                        return True
                    time.sleep(0.01)
        finally:
            connection.close()
        return False

    def aborted_transactions(self) -> int:
        """How often PostgreSQL has seen a client vanish in the middle of a transaction."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return text.count("unexpected EOF on client connection with an open transaction")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/portal"


class Portal:
    def __init__(self, workdir: Path, database_url: str, *, workers: int = 3, threads: int = 4):
        self.workdir = workdir
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = None
        self.log = workdir / "gunicorn.log"
        self.env = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": "lab-only-" + hashlib.sha256(os.urandom(16)).hexdigest(),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "SECURE_HSTS_SECONDS": "0",
            "DATABASE_URL": database_url,
            "VAR_DIR": str(workdir / "var"),
            "TASKS_IMMEDIATE": "1",
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": str(workers),
            "GUNICORN_THREADS": str(threads),
            "DJANGO_SETTINGS_MODULE": "audit_portal.settings",
            "LOG_ACCESS": "0",
            # many simulated users sign in from one address within seconds
            "LOGIN_FAILURE_LIMIT": "1000",
        }
        self.evidence_root = workdir / "var" / "evidence"

    def manage(self, *args, stdin: str | None = None) -> str:
        done = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def shell_json(self, code: str, claims: Path | None = None):
        """Run `code` in Django's shell (CLAIMS in it names the file `claims`) and return
        the JSON it prints last."""
        if claims is not None:
            code = code.replace("CLAIMS", repr(str(claims)))
        return json.loads(self.manage("shell", stdin=code).strip().splitlines()[-1])

    def prepare(self, seed_code: str):
        """Migrate, collect static files, run `seed_code` in Django's shell: its JSON."""
        self.manage("migrate", "--noinput")
        self.manage("collectstatic", "--noinput")
        self.manage("load_reference_data")
        return self.shell_json(seed_code)

    def start(self, timeout: float = 30.0):
        log = open(self.log, "ab")
        self.process = subprocess.Popen(
            [GUNICORN, "-c", "gunicorn.conf.py", "audit_portal.wsgi"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with suppress(requests.RequestException):
                if requests.get(self.base + "/healthz", timeout=2).status_code == 200:
                    return
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited; see {self.log}")
            time.sleep(0.2)
        raise SystemExit(f"gunicorn did not answer within {timeout} s; see {self.log}")

    def twin(self) -> "Portal":
        """A second instance of the same portal: its own port and log, the same database,
        files and secret key (what two application servers behind nginx share)."""
        other = Portal(self.workdir, self.env["DATABASE_URL"])
        other.log = self.workdir / f"gunicorn-{other.port}.log"
        other.env = {
            **self.env,
            "GUNICORN_BIND": f"127.0.0.1:{other.port}",
        }
        return other

    def kill(self):
        """SIGKILL to the master and every worker at once: a power cut, as far as the
        portal can tell."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


SEED_USERS = """
import json
from django.contrib.auth.hashers import make_password
from accounts.models import Role, User
from agencies.models import Audit, Cycle
# the load and fault tests finalize straight from review, as a cycle without the
# 征求意见稿 step does (the step itself: procedure/tests)
Cycle.objects.update(draft_step=False)
password = make_password({password!r})
audits = [a for a in Audit.objects.filter(cycle__year=2023).select_related("agency").order_by("serial")
          if a.agency.code not in {exclude!r}]
where = {{}}
for i in range({auditors}):
    audit = audits[i % len(audits)]
    user = User.objects.create(username=f"auditor{{i:02d}}", role=Role.AUDITOR, password=password,
                               full_name=f"压测稽核{{i:02d}}")
    audit.auditors.add(user)
    where[user.username] = audit.agency.code
for i in range({staff}):
    audit = audits[len(audits) - 1 - (i % len(audits))]
    user = User.objects.create(username=f"staff{{i:02d}}", role=Role.AGENCY_STAFF,
                               password=password, agency=audit.agency, full_name=f"压测经办{{i:02d}}")
    where[user.username] = audit.agency.code
manager = User.objects.create(username="manager", role=Role.MANAGER, password=password,
                              full_name="压测主任")
from django_otp.plugins.otp_totp.models import TOTPDevice
TOTPDevice.objects.create(user=manager, name="phone", confirmed=True, key={totp_key!r})
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
recovery = StaticDevice.objects.create(user=manager, name="recovery")
StaticToken.objects.bulk_create(StaticToken(device=recovery, token=t) for t in {recovery_codes!r})
print(json.dumps(where))
"""


def seed_users(auditors: int, staff: int, exclude=()) -> str:
    """Shell code that creates the users and prints {username: agency code} as JSON."""
    return SEED_USERS.format(
        password=PASSWORD,
        auditors=auditors,
        staff=staff,
        exclude=tuple(exclude),
        totp_key=TOTP_KEY,
        recovery_codes=RECOVERY_CODES,
    )


class User:
    """One simulated person with a browser session. Given ``standby`` (another instance of
    the portal), a request the first one cannot take (connection refused or cut) goes
    there instead, as nginx would send it: counted in ``failovers``. A POST is not sent
    again (the first may have been done): it comes back as None, not acknowledged."""

    def __init__(self, base: str, username: str, timings=None, standby: str | None = None):
        self.base = base
        self.standby = standby
        self.failovers = 0
        self.username = username
        self.session = requests.Session()
        self.csrf = ""
        self.timings = timings if timings is not None else defaultdict(list)
        self.statuses = defaultdict(lambda: defaultdict(int))

    def _record(self, kind: str, started: float, response) -> None:
        self.timings[kind].append((time.perf_counter() - started) * 1000)
        self.statuses[kind][response.status_code] += 1
        match = (
            CSRF.search(response.text)
            if "text/html" in response.headers.get("Content-Type", "")
            else None
        )
        if match:
            self.csrf = match.group(1)

    def _fail_over(self) -> bool:
        if not self.standby:
            return False
        self.base, self.standby = self.standby, None
        self.failovers += 1
        return True

    def get(self, kind: str, path: str, **kwargs):
        started = time.perf_counter()
        try:
            response = self.session.get(
                self.base + path, timeout=60, allow_redirects=False, **kwargs
            )
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
            if not self._fail_over():
                raise
            return self.get(kind, path, **kwargs)
        self._record(kind, started, response)
        return response

    def post(self, kind: str, path: str, data=None, **kwargs):
        headers = {
            "X-CSRFToken": self.csrf,
            "Referer": self.base + path,
            **kwargs.pop("headers", {}),
        }
        started = time.perf_counter()
        try:
            response = self.session.post(
                self.base + path,
                data=data,
                headers=headers,
                timeout=60,
                allow_redirects=False,
                **kwargs,
            )
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
            if not self._fail_over():
                raise
            return None
        self._record(kind, started, response)
        return response

    def sign_in(self):
        self.get("sign-in page", "/accounts/login/")
        response = self.post(
            "sign in",
            "/accounts/login/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": self.csrf},
        )
        if response.status_code != 302:
            raise SystemExit(f"{self.username} could not sign in: {response.status_code}")
        if response.headers["Location"].endswith("/accounts/two-factor/verify/"):
            self.get("one-time code page", "/accounts/two-factor/verify/")
            response = self.post(
                "one-time code",
                "/accounts/two-factor/verify/",
                {"code": recovery_code(), "csrfmiddlewaretoken": self.csrf},
            )
            if response.status_code != 302:
                raise SystemExit(f"{self.username}'s one-time code was refused")
        self.csrf = ""  # signing in rotates the token: take it from the next page


def pdf_bytes(label: str, size: int = 256 * 1024) -> bytes:
    """A small valid-looking PDF with unique content (the portal checks the signature)."""
    body = f"%PDF-1.4\n% {label}\n".encode()
    filler = hashlib.sha256(label.encode()).hexdigest().encode()
    return body + filler * ((size - len(body)) // len(filler)) + b"\n%%EOF\n"


def report(timings: dict, statuses: dict, seconds: float) -> str:
    lines = [f"{'request':<20}{'count':>8}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}  statuses"]
    for kind in sorted(timings):
        values = timings[kind]
        codes = " ".join(f"{code}×{n}" for code, n in sorted(statuses[kind].items()))
        lines.append(
            f"{kind:<20}{len(values):>8}{percentile(values, 0.5):>10.1f}"
            f"{percentile(values, 0.95):>10.1f}{max(values):>10.1f}  {codes}"
        )
    total = sum(len(v) for v in timings.values())
    lines.append(f"{total} requests in {seconds:.1f} s ({total / seconds:.1f} per second)")
    return "\n".join(lines)


def workdir(prefix: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    return path


def require_venv():
    if not Path(GUNICORN).exists():
        sys.exit("Run `make test` or scripts/venv.sh requirements-dev.txt first (no .venv).")


# Shell code: every save and upload the server acknowledged (read from CLAIMS) must be there;
# defines `claims` and `lost` (what is not) for the code appended to it.
ACKNOWLEDGED_WRITES = """
import hashlib, json
from checklist.models import Assessment, AssessmentChange
from evidence.models import EvidenceFile, evidence_storage
claims = json.loads(open(CLAIMS, encoding="utf-8").read())
lost = []
for code, key, version, finding in claims["saves"]:
    category, number = (int(p) for p in key.split("-"))
    row = Assessment.objects.filter(audit__cycle__year=2023, audit__agency__code=code,
        standard__category__position=category, standard__number=number).first()
    change = row and AssessmentChange.objects.filter(assessment=row, version=version).first()
    if row is None or row.version < version or change is None or change.new.get("finding") != finding:
        lost.append(("acknowledged save lost", code, key, version))
storage = evidence_storage()
for file_id, digest in claims["uploads"]:
    row = EvidenceFile.objects.filter(pk=file_id, sha256=digest).first()
    if row is None:
        lost.append(("acknowledged upload lost", file_id)); continue
    with storage.open(row.key, "rb") as stream:
        if hashlib.sha256(stream.read()).hexdigest() != digest:
            lost.append(("acknowledged upload's file differs", file_id))
"""


def teardown(portal, cluster: Cluster, folder: Path, keep: bool) -> None:
    """Stop the server and the cluster; remove the work folder unless asked to keep it."""
    if portal:
        portal.kill()
    cluster.stop("immediate")
    if keep:
        print(f"kept {folder}")
    else:
        shutil.rmtree(folder, ignore_errors=True)
