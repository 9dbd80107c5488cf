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

from culturegap.api import common
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


def _run_every_operation(schema, secret: str) -> int:
    headers = {"Authorization": f"Bearer {secret}"}
    called = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
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
    monkeypatch.setattr(common, "RATE_LIMIT_PER_MINUTE", 10**9)
    secret = create_token(person=world["staff"][role], name="schemathesis").secret
    operations = len(list(schema.get_all_operations()))
    assert operations >= 20
    assert _run_every_operation(schema, secret) == 2 * operations
