#!/usr/bin/env bash
# Sets up and serves the portal with the seed data and the demo accounts (development).
#   PORT          the port to serve on (default 8000)
#   DATABASE_URL  another database than the SQLite file var/db.sqlite3
# Running it again keeps every row: migrations and the seed only add what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/system-packages.sh run
scripts/venv.sh requirements.txt

export DEBUG=${DEBUG:-1}
py=.venv/bin/python
mkdir -p var
$py manage.py migrate --noinput
$py manage.py load_reference_data
$py manage.py create_demo_accounts
$py manage.py create_demo_data
echo
echo "稽核管理平台: http://127.0.0.1:${PORT:-8000}/  (演示账号 admin / manager / auditor1 / auditor2 / agency004 / agency007，密码 demo2023)"
exec $py manage.py runserver "127.0.0.1:${PORT:-8000}"
