"""Schemathesis generates requests from our own OpenAPI schemas, valid and invalid, and we check that no
input makes the server answer 5xx: a client's mistake is always a readable 4xx.

Dates and moments are drawn mostly from the edges where the probe of issue 9 found 500s: years 0001 and 9999
and the platform's own bounds, with UTC offsets of +14:00 and -12:00 (a moment near either end of the
calendar overflows when converted to UTC). The catalogue of hand-picked bad inputs is security/test_bad_input.py.

(The schemathesis pytest plugin does not run under pytest 9 yet, so each operation's hypothesis strategy
is driven directly.)"""

import datetime as dt

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode

FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                database=None)


_EDGE_DAYS = [dt.date(1, 1, 1), dt.date(9999, 12, 31), dt.date(1899, 12, 31), dt.date(1900, 1, 1),
              dt.date(2200, 12, 31), dt.date(2201, 1, 1), dt.date(2026, 2, 29 - 1), dt.date(2024, 2, 29)]
_OFFSETS = [dt.timezone(dt.timedelta(hours=14)), dt.timezone(dt.timedelta(hours=-12)), dt.UTC,
            dt.timezone(dt.timedelta(hours=8))]
_DAYS = st.one_of(st.sampled_from(_EDGE_DAYS), st.dates())
_MOMENTS = st.builds(lambda d, t, tz: dt.datetime.combine(d, t, tzinfo=tz).isoformat(), _DAYS, st.times(),
                     st.sampled_from(_OFFSETS))


@pytest.fixture(autouse=True)
def _edge_dates():
    """Dates and moments at the edges of the calendar and of the UTC offsets, for every `date` and
    `date-time` parameter or body field of the schemas."""
    schemathesis.openapi.format("date", _DAYS.map(dt.date.isoformat))
    schemathesis.openapi.format("date-time", _MOMENTS)
    yield
    from schemathesis.specs.openapi.formats import unregister_string_format

    unregister_string_format("date")
    unregister_string_format("date-time")


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
