"""Schemathesis generates requests from our own OpenAPI schemas, valid and invalid, and we check that no
input makes the server answer 5xx: a client's mistake is always a readable 4xx.

(The schemathesis pytest plugin does not run under pytest 9 yet, so each operation's hypothesis strategy
is driven directly.)"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode

FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                database=None)


@pytest.fixture(autouse=True)
def _keep_test_connection():
    """Schemathesis calls the WSGI application directly, which fires request_started/finished and would
    close the test's database connection mid-transaction (on PostgreSQL). Django's own test client
    disconnects the same handler for the same reason."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _fuzz(schema_path: str, headers: dict) -> int:
    from config.wsgi import application

    schema = schemathesis.openapi.from_wsgi(schema_path, application)
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @given(case=operation.as_strategy(generation_mode=mode))
            @FUZZ
            def check(case):
                response = case.call(headers=headers)
                assert response.status_code < 500, (
                    case.method, case.formatted_path, case.query, case.body, response.text[:300])

            try:
                check()
            except Unsatisfiable:
                # An operation without parameters has no invalid input to generate.
                assert mode is GenerationMode.NEGATIVE
    return operations


@pytest.mark.django_db
def test_api_never_answers_5xx(calendar, depts):
    from django.utils import timezone

    from xiaoneng.accounts.services import api_client_create

    # A real department token, so generated requests get past authentication to validation and the rules.
    _, raw = api_client_create(name="fuzz", department=depts["a"], by=None, now=timezone.now())
    assert _fuzz("/api/v1/openapi.json", {"Authorization": f"Bearer {raw}"}) >= 5


@pytest.mark.django_db
def test_open311_never_answers_5xx(calendar, depts):
    assert _fuzz("/open311/v2/openapi.json", {}) >= 2
