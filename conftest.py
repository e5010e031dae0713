import functools
import os
import time

import pytest
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from accounts.signin import SECOND_FACTOR_DONE
from audit_portal.testing import PERSONAS, persona_user, seed_database

# Playwright's sync API runs an event loop in the test's thread; Django's ORM refuses to
# run where an event loop is running unless told this is intended.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# A busy machine (CI beside other jobs, make mutate's traced runs) makes Hypothesis slow to
# generate inputs; that is no fault of the rule under test, so it must not fail the test.
hypothesis_settings.register_profile(
    "portal", suppress_health_check=[HealthCheck.too_slow], deadline=None
)
hypothesis_settings.load_profile("portal")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Under mutation testing (make mutate) several test processes run side by side, each
    forked from one that collected the tests: each gets a test database of its own."""
    if "MUTANT_UNDER_TEST" in os.environ:
        from pytest_django.fixtures import _set_suffix_to_test_databases

        _set_suffix_to_test_databases(suffix=f"mutant{os.getpid()}")


@pytest.fixture(scope="session")
def django_db_setup(request, django_db_setup, django_db_blocker):
    """Every test starts from the seed's data and the personas, loaded once per run.

    pytest-django creates the test database only for the tests that ask for one (db,
    transactional_db, live_server); a module that builds its data once for all its tests
    (the accessibility crawl) asks through its module fixture instead, so when only such
    tests run, the database is created here."""
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _get_databases_for_setup

    created = None
    with django_db_blocker.unblock():
        if not _get_databases_for_setup(request.session.items)[0]:
            created = setup_databases(verbosity=0, interactive=False, aliases={"default"})
        seed_database()
    yield
    if created is not None:
        with django_db_blocker.unblock():
            teardown_databases(created, verbosity=0)


@pytest.fixture(scope="session", autouse=True)
def pdfs_rendered_once_per_html():
    """WeasyPrint's PDF of a given HTML, rendered once per test run and then reused.

    Hundreds of tests finalize 朝阳 the same way and so issue the same report; rendering it
    took three quarters of the rectification, reports and cycles tests' time (392 renders
    of 58 different pages). The bytes are WeasyPrint's own for that exact HTML, so every
    test still reads a real PDF; a test that replaces the renderer (monkeypatch) replaces
    this too."""
    from common import pdf

    real = pdf.render
    pdf.render = functools.lru_cache(maxsize=256)(real)
    yield
    pdf.render = real


@pytest.fixture(scope="module")
def untraced():
    """Coverage paused for a module (make test measures it on the SQLite run).

    For the two crawls, the hostile-input walk and the axe-core crawl: they send thousands
    of requests to see that none fails, and under coverage's tracer they took 65 % longer,
    minutes of the run. Coverage is measured on the tests that state what the code does;
    what only a crawl reaches is a line for such a test to cover."""
    import coverage

    current = coverage.Coverage.current()
    if current is None:
        yield
        return
    current.stop()
    try:
        yield
    finally:
        current.start()


@pytest.fixture
def seeded_transactional_db(transactional_db):
    """For tests that commit (browser tests): the seed again, since each of them is
    followed by a flush of the whole database."""
    seed_database()


@pytest.fixture
def cycle(db):
    from agencies.models import Cycle

    return Cycle.objects.get(year=2023)


@pytest.fixture
def big_roster(cycle):
    """150 agencies (600-749) after the seed's 50: 200 on the roster, four pages of 50."""
    from audit_portal.testing import add_to_roster

    add_to_roster(cycle, range(600, 750))


def _persona_fixture(persona):
    @pytest.fixture
    def fixture(db):
        return persona_user(persona)

    return fixture


for _persona in PERSONAS:
    globals()[_persona] = _persona_fixture(_persona)


@pytest.fixture
def client_for(db):
    """A test client signed in as the named persona ("anonymous" for nobody)."""

    def make(persona: str) -> Client:
        client = Client()
        user = persona_user(persona)
        if user is not None:
            client.force_login(user)
            # Signed in just now and active: the session's idle clock needs no renewal, so
            # query counts measure the page, not a session save.
            session = client.session
            session["signed_in_at"] = session["seen_at"] = time.time()
            # past the second factor, as a person who typed the code (tested on its own)
            session[SECOND_FACTOR_DONE] = time.time()
            session.save()
        return client

    return make
