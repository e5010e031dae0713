"""The OpenAPI description: valid, naming every endpoint, and true — schemathesis generates
requests from it (values the description allows and values it does not) for every operation,
as each persona, and every answer must be no server error and match what it describes."""

import json
from contextlib import contextmanager

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import URLPattern, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api import tokens
from audit_portal.testing import persona_user
from rectification.models import RectificationItem
from rectification.tests.helpers import finalized

pytestmark = pytest.mark.django_db


def _fuzz(operation, cases, keys, failures) -> None:
    """The operation called with each generated case as a persona drawn at random; every
    check that fails is kept (with the operation and persona), the search goes on."""
    from django.core.cache import cache

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases, persona=st.sampled_from(PERSONAS))
    def call(case, persona):
        cache.clear()  # the rate limit is tested on its own
        try:
            case.call_and_validate(headers={"Authorization": f"Bearer {keys[persona]}"})
        except Exception as error:  # schemathesis names every failed check
            failures.append(f"{operation.label} as {persona}: {error}"[:2000])

    call()


def _cases(operation, generation, real):
    import schemathesis

    names = {p.name for p in operation.path_parameters}
    if not names:
        return operation.as_strategy(generation_mode=generation)

    @st.composite
    def on_records(draw):
        fixed = {
            name: draw(st.sampled_from(value)) if isinstance(value, list) else value
            for name, value in real.items()
            if name in names
        }
        return draw(
            operation.as_strategy(
                generation_mode=schemathesis.GenerationMode.POSITIVE, path_parameters=fixed
            )
        )

    return st.one_of(on_records(), operation.as_strategy(generation_mode=generation))


@contextmanager
def _connection_kept():
    """As Django's test client: the test's database connection (its transaction) outlives
    each request the WSGI handler serves."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


def _description(client):
    key = tokens.issue(persona_user("manager"), name="OA", days=1, can_write=False)[1]
    response = client.get("/api/v1/openapi.json", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    return json.loads(response.content)


def test_the_description_is_valid_openapi_and_names_every_endpoint(client, manager):
    from drf_spectacular.validation import validate_schema

    description = _description(client)
    validate_schema(description)
    described = {path for path in description["paths"]}
    api = next(p for p in get_resolver().url_patterns if getattr(p, "namespace", None) == "api")
    routes = {
        "/" + str(pattern.pattern).replace("<int:", "{").replace("<str:", "{").replace(">", "}")
        for pattern in api.url_patterns
        if isinstance(pattern, URLPattern) and pattern.name not in {"schema", "docs"}
    }
    assert described == routes
    assert description["components"]["securitySchemes"] == {
        "token": {"type": "http", "scheme": "bearer"}
    }


def test_the_description_needs_a_signed_in_person_or_a_token(client, manager):
    assert client.get("/api/v1/openapi.json").status_code in (401, 403)


# each persona with a read-write token, so that every operation is reached past the scope
PERSONAS = ("manager", "assigned", "auditor", "staff004", "staff007")
EXAMPLES_PER_OPERATION = 12


@pytest.mark.stricter_database
@pytest.mark.parametrize("mode", ["positive", "negative"])
def test_schemathesis_finds_no_server_error_and_no_answer_unlike_its_description(
    client, manager, mode
):
    import schemathesis
    from schemathesis import GenerationMode

    finalized("004", manager)  # rectification items and an issued report to reach
    persona_user("assigned")
    description = _description(client)
    schema = schemathesis.openapi.from_dict(description)
    schema.app = WSGIHandler()
    keys = {
        persona: tokens.issue(persona_user(persona), name="fuzz", days=1, can_write=True)[1]
        for persona in PERSONAS
    }
    generation = GenerationMode.POSITIVE if mode == "positive" else GenerationMode.NEGATIVE
    # half of the calls on the records there are (a year, agency, item and report that
    # exist: their answers are the ones with data to describe), half on what comes
    real = {
        "year": 2023,
        "code": ["004", "007"],
        "item": list(RectificationItem.objects.values_list("pk", flat=True)),
        "version": 1,
    }
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == len(description["paths"])  # one operation a path

    for operation in operations:
        with _connection_kept():
            _fuzz(operation, _cases(operation, generation, real), keys, failures)
    assert not failures, "\n\n".join(failures[:5])
