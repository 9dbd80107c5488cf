"""Property-based tests of the whole API with schemathesis: every operation of the OpenAPI
schema, with generated valid and invalid parameters and bodies, called in-process through the
WSGI app with a program admin's token and with an executive's. No answer may be a server error,
and every answer must be one the schema documents (status, content type, body)."""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from culturegap.api import auth
from culturegap.api.services import create_token
from culturegap.tests.test_permissions import world  # noqa: F401 (a fixture: objects to find)
from culturegap.wsgi import application

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 10


@pytest.fixture
def schema(db):
    """The schema as the running app serves it. Like Django's test client, requests here keep
    the test's database connection (and its transaction) instead of closing it."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def known_ids(objects) -> dict[str, int]:
    """Path parameters that name real objects, so bodies and queries are also tried on them
    (generated ids almost never exist)."""
    return {
        "team_id": objects["staff"]["crp"].team_id,
        "person_id": objects["staff"]["crp"].pk,
        "service_id": objects["service"].pk,
        "customer_id": objects["customer"].pk,
        "curriculum_id": objects["curriculum"].pk,
        "enrollment_id": objects["certified"].pk,
        "observation_id": objects["observation"].pk,
        "opportunity_id": objects["opportunity"].pk,
    }


def _run_every_operation(schema, secret: str, ids: dict[str, int], only: str = "") -> int:
    headers = {"Authorization": f"Bearer {secret}"}
    called = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if not operation.path.startswith(only):
            continue
        names = {parameter.name for parameter in operation.path_parameters}
        runs = [(mode, None) for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)]
        if names and names <= ids.keys():
            runs.append((GenerationMode.POSITIVE, {name: ids[name] for name in names}))
        for mode, path_parameters in runs:
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)

            @given(case=strategy)
            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
                derandomize=True,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def call(case):
                case.call_and_validate(headers=headers, checks=CHECKS)

            call()
            called += 1
    return called


@pytest.mark.django_db(transaction=False)
@pytest.mark.parametrize("role", ["admin", "executive"])
def test_every_operation_answers_as_documented(schema, world, role, monkeypatch):  # noqa: F811
    monkeypatch.setattr(auth, "RATE_LIMIT_PER_MINUTE", 10**9)
    secret = create_token(person=world["staff"][role], name="schemathesis").secret
    operations = len(list(schema.get_all_operations()))
    assert operations >= 20
    assert _run_every_operation(schema, secret, known_ids(world)) >= 2 * operations


@pytest.mark.django_db(transaction=False)
def test_the_pipeline_answers_as_documented_for_a_salesperson(schema, world, monkeypatch):  # noqa: F811
    """Moving and taking opportunities is for salespeople only: their token drives the
    opportunity operations with generated bodies, on the world's real opportunity too."""
    monkeypatch.setattr(auth, "RATE_LIMIT_PER_MINUTE", 10**9)
    secret = create_token(person=world["staff"]["sales"], name="schemathesis").secret
    assert _run_every_operation(schema, secret, known_ids(world), only="/api/v1/opportunities") >= 8
