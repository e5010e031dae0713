# The two commands a new user needs: `make run` and `make test` (see README).
.PHONY: run test messages screenshots lint bench bench-against loadtest faulttest prodtest mutate

run:
	scripts/run.sh

test:
	scripts/test.sh

# Refresh the Chinese catalogue after changing user-facing strings, then translate the
# new entries in locale/zh_Hans/LC_MESSAGES/django.po and run this again.
messages:
	scripts/venv.sh requirements-dev.txt
	DEBUG=1 .venv/bin/python manage.py makemessages -l zh_Hans --no-location --no-obsolete \
		--ignore=.venv --ignore=var --ignore=mutants --ignore='*/tests/*' --ignore=conftest.py
	DEBUG=1 .venv/bin/python manage.py compilemessages -l zh_Hans --ignore=.venv --ignore=mutants

# The 操作手册's screenshots (static/manual/), taken again from the demo data by the browser
# test that takes them in every test run (manual/tests/shots.py lists them). Run it after
# changing a page the manual shows, and commit the pictures.
screenshots:
	scripts/system-packages.sh test
	scripts/venv.sh requirements-dev.txt
	MANUAL_SCREENSHOTS=write DATABASE_URL=sqlite:///$(CURDIR)/var/screenshots.sqlite3 \
		.venv/bin/python -m pytest -q -p no:randomly --durations=0 \
		audit_portal/tests/browser/test_accessibility.py -k screenshots

lint:
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

# Server-time benchmark of the overview, the scoring page and an autosave (see docs/benchmark.md).
bench:
	scripts/venv.sh requirements-dev.txt
	.venv/bin/python scripts/bench.py

# One page, this tree against an earlier commit, timed alternately in one run.
bench-against:
	scripts/venv.sh requirements-dev.txt
	.venv/bin/python scripts/bench_against.py $(REV) $(PAGE)

# Two gunicorns (one SIGKILLed half-way) + a PostgreSQL cluster of their own, on loopback: 50 users for 60 s (see docs/tests.md).
loadtest:
	scripts/venv.sh requirements-dev.txt
	.venv/bin/python scripts/load_test.py --users 50 --seconds 60

# SIGKILL during uploads and finalizations, PostgreSQL stopped under load (see docs/tests.md).
faulttest:
	scripts/venv.sh requirements-dev.txt
	.venv/bin/python scripts/fault_test.py

# docs/operations.md's Production section as written: nginx (TLS), gunicorn, worker, PostgreSQL (root).
prodtest:
	scripts/venv.sh requirements-dev.txt
	.venv/bin/python scripts/production_test.py

# Mutation testing of the rule modules ([tool.mutmut] in pyproject.toml); about two hours on
# two cores, not part of make test. Writes the survivors to mutation-survivors.md.
mutate:
	scripts/system-packages.sh test
	scripts/venv.sh requirements-dev.txt
	.venv/bin/mutmut run --max-children $$(nproc) || true
	.venv/bin/python scripts/mutation_survivors.py
