#!/usr/bin/env bash
# The whole test suite: checks, lint, then pytest on SQLite and on PostgreSQL.
#   TEST_POSTGRES_URL   the PostgreSQL server to test against
#                       (default postgres://postgres@127.0.0.1:5432/audit_portal; the suite
#                       creates and drops its own test_audit_portal database there)
#   REQUIRE_POSTGRES=1  fail, rather than run SQLite only, when PostgreSQL cannot be reached
#                       (or its server programs for the fault and load tests are missing)
#   SKIP_FAULT_TESTS=1  leave out the production test, the fault test and the short load
#                       test (about 2 minutes)
# Extra arguments go to pytest, e.g. scripts/test.sh -k permission
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/system-packages.sh test
scripts/venv.sh requirements-dev.txt

py=.venv/bin/python
export DJANGO_SETTINGS_MODULE=audit_portal.settings_test
sqlite_url="sqlite:///$PWD/var/test-db.sqlite3"
postgres_url=${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/audit_portal}
mkdir -p var

echo "== Django system checks and migrations"
DATABASE_URL=$sqlite_url $py manage.py check --fail-level WARNING
DATABASE_URL=$sqlite_url $py manage.py makemigrations --check --dry-run

echo "== import layers (import-linter, .importlinter): no package imports one above it, no circles"
.venv/bin/lint-imports --no-cache

echo "== ruff"
$py -m ruff check .
$py -m ruff format --check .

echo "== bandit"
$py -m bandit -q -ll -r accounts agencies audit_portal checklist archives common cycles evidence notifications problems procedure rectification reports scripts security selfassessment workbench manual api \
  gunicorn.conf.py \
  -x '*/tests/*,*/migrations/*'

# The production test (docs/operations.md's Production section as written: nginx with TLS, gunicorn,
# worker, PostgreSQL), the fault test and a 15-second load test (two gunicorns, one killed
# half-way, a PostgreSQL cluster of their own) run beside pytest: they mostly wait on the
# servers they start. Their output follows pytest's.
system_pid=""
postgres_pid=""
system_log=var/system-tests.log
# a failure ends the script: the runs in the background go with it, interrupted (SIGINT) so
# that the system tests stop the servers and clusters they started
trap 'for pid in $system_pid $postgres_pid; do pkill -INT -P "$pid" 2>/dev/null || true; kill -INT "$pid" 2>/dev/null || true; done' EXIT
if [ "${SKIP_FAULT_TESTS:-0}" = 1 ]; then
  echo "== SKIP_FAULT_TESTS=1: the production, fault and load tests are left out."
else
  if [ "$(id -u)" -ne 0 ]; then
    if [ "${REQUIRE_POSTGRES:-0}" = 1 ]; then
      echo "REQUIRE_POSTGRES=1 and the production test needs root (it creates users, runs nginx): failing." >&2
      exit 1
    fi
    echo "== Not root, so the production test will not run (it creates users and runs nginx as www-data)."
  fi
  if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    if [ "${REQUIRE_POSTGRES:-0}" = 1 ]; then
      echo "REQUIRE_POSTGRES=1 and PostgreSQL's server programs (initdb) are missing: failing." >&2
      exit 1
    fi
    echo "== PostgreSQL's server programs (initdb) are missing, so the fault and load tests will not run."
  else
    echo "== production, fault and load tests, in the background: their output follows pytest's"
    (
      set -e
      if [ "$(id -u)" -eq 0 ]; then $py scripts/production_test.py; fi
      $py scripts/fault_test.py
      $py scripts/load_test.py --users 50 --seconds 15
    ) >"$system_log" 2>&1 &
    system_pid=$!
  fi
fi

# The two databases' runs go side by side, one a core (each run has its own scratch folders
# and database): the whole suite takes the time of the longer one, not of both.
echo "== pytest on PostgreSQL ($postgres_url), in the background: its output follows SQLite's"
postgres_log=var/pytest-postgres.log
if DATABASE_URL=$postgres_url $py - <<'PY'
import os, sys
import dj_database_url, psycopg2
db = dj_database_url.parse(os.environ["DATABASE_URL"])
try:
    psycopg2.connect(dbname="postgres", user=db["USER"], password=db["PASSWORD"],
                     host=db["HOST"], port=db["PORT"] or 5432, connect_timeout=5).close()
except psycopg2.OperationalError as error:
    print(f"PostgreSQL cannot be reached: {error}".strip(), file=sys.stderr)
    sys.exit(1)
PY
then
  # The permission matrix runs here, and measures its own coverage for the SQLite run's
  # report (test_permission_matrix.py, measured_in_this_run): the rest of this run is not
  # traced, which would cost it half its time again.
  matrix_coverage=()
  if [ $# -eq 0 ]; then
    rm -f var/.coverage.matrix
    matrix_coverage=(MATRIX_COVERAGE_FILE="$PWD/var/.coverage.matrix")
  fi
  env "${matrix_coverage[@]}" DATABASE_URL=$postgres_url $py -m pytest -m "not one_database" --junitxml=var/junit-postgres.xml "$@" >"$postgres_log" 2>&1 &
  postgres_pid=$!
elif [ "${REQUIRE_POSTGRES:-0}" = 1 ]; then
  echo "REQUIRE_POSTGRES=1 and PostgreSQL cannot be reached at $postgres_url: failing." >&2
  exit 1
else
  echo "PostgreSQL is not reachable at $postgres_url, so the suite runs on SQLite only."
  echo "Set TEST_POSTGRES_URL to test against another server."
fi

echo "== pytest on SQLite, with branch coverage of the application code"
# Tests run in a new random order every time (pytest-randomly prints the seed: repeat an
# order with --randomly-seed=<seed>, or keep the file order with -p no:randomly).
# With both runs going, two kinds of test run once per make test instead of twice (see
# [tool.pytest.ini_options] markers), split so that the two runs take about as long:
# one_database (what no database can change: the pages' accessibility and layout, an
# export's printed pages, and the browser journeys, whose views the other tests run on both
# databases) here, and stricter_database (the hostile-input walk, the API fuzz and the
# permission matrix, thousands of requests each) in the PostgreSQL run.
once=()
if [ -n "$postgres_pid" ]; then
  once=(-m "not stricter_database")
fi
if [ $# -eq 0 ]; then
  rm -f var/.coverage
  DATABASE_URL=$sqlite_url $py -m coverage run -m pytest "${once[@]}" --junitxml=var/junit-sqlite.xml
else
  DATABASE_URL=$sqlite_url $py -m pytest "${once[@]}" "$@"
fi

# Wait for a run in the background, print its log, and fail with it.
finish() {  # title, pid, log
  echo "== $1"
  local status=0
  wait "$2" || status=$?
  cat "$3"
  if [ "$status" -ne 0 ]; then
    echo "$1 failed (exit $status)." >&2
    exit "$status"
  fi
}

if [ -n "$postgres_pid" ]; then
  finish "pytest on PostgreSQL ($postgres_url)" "$postgres_pid" "$postgres_log"
  postgres_pid=""
fi
if [ $# -eq 0 ]; then
  echo "== branch coverage of the application code (the SQLite run and the permission matrix)"
  if [ -f var/.coverage.matrix ]; then
    $py -m coverage combine --append var/.coverage.matrix
  fi
  # fails below [tool.coverage.report] fail_under in pyproject.toml
  $py -m coverage report
fi
if [ -n "$system_pid" ]; then
  finish "The production, fault and load tests (run beside pytest)" "$system_pid" "$system_log"
  system_pid=""
fi
