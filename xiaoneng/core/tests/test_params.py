"""The shared query parameters (core.params) and JSON bodies (core.jsonbody): bounds, and what each refusal says.

The walk of every endpoint and page with these values is security/test_bad_input.py; here each parser's
contract, and one endpoint and one page of each kind answering in Chinese with the parameter named."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from xiaoneng.core.errors import DomainError
from xiaoneng.core.jsonbody import MAX_JSON_DEPTH, JsonTooDeep, json_loads
from xiaoneng.core.params import MAX_OFFSET, parse_date, parse_moment, parse_month


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "1899-12-31", "2201-01-01"])
def test_dates_outside_the_platforms_years_are_refused_with_the_field_named(value):
    with pytest.raises(DomainError) as exc:
        parse_date(value, field="received_from")
    assert exc.value.field == "received_from"
    assert "received_from" in exc.value.message and "1900" in exc.value.message


@pytest.mark.parametrize("value", ["20260930", "2026-9-30", "２０２６-０９-３０", "2026-02-30", "x", "2026-09-30T00:00"])
def test_dates_must_be_written_yyyy_mm_dd(value):
    with pytest.raises(DomainError, match="YYYY-MM-DD"):
        parse_date(value, field="d")


def test_dates_and_months_within_bounds_parse():
    assert parse_date(" 2026-09-30 ") == dt.date(2026, 9, 30)
    assert parse_date("") is None
    assert parse_month("2026-02") == dt.date(2026, 2, 1)
    assert parse_month("2026-02-17") == dt.date(2026, 2, 1)
    with pytest.raises(DomainError, match="1900"):
        parse_month("9999-12", field="to")
    with pytest.raises(DomainError, match="YYYY-MM"):
        parse_month("2026/02", field="to")


def test_moments_keep_real_offsets_and_refuse_impossible_ones():
    assert parse_moment("2026-06-01T00:00:00+14:00").utcoffset() == dt.timedelta(hours=14)
    assert parse_moment("2026-06-01T00:00:00-12:00").utcoffset() == dt.timedelta(hours=-12)
    assert parse_moment("2026-06-01 09:30").utcoffset() == dt.timedelta(hours=8)  # the platform's zone
    assert parse_moment("2026-06-01", end=True) == parse_moment("2026-06-02")
    assert parse_moment("2026-06-01T09:30", assume_tz=False).tzinfo is None
    with pytest.raises(DomainError, match="时区偏移"):
        parse_moment("2026-06-01T00:00:00+14:30", field="start")
    for edge in ("9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00"):
        with pytest.raises(DomainError, match="1900"):
            parse_moment(edge, field="start")


def test_json_nested_beyond_the_bound_is_refused_before_anything_walks_it():
    assert json_loads("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH) is not None
    for text in ("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1), "[" * 100_000 + "]" * 100_000,
                 '{"a":' * 50_000 + "1" + "}" * 50_000):
        with pytest.raises(JsonTooDeep, match="嵌套"):
            json_loads(text)
    with pytest.raises(json.JSONDecodeError):
        json_loads("[1,")


@pytest.mark.django_db
def test_api_names_the_parameter_in_chinese(client, calendar, depts):
    from django.utils import timezone

    from xiaoneng.accounts.services import api_client_create

    _, raw = api_client_create(name="t", department=depts["a"], by=None, now=timezone.now())
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    r = client.get("/api/v1/cases", {"received_from": "0001-01-01"}, **auth)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "received_from" and "1900" in r.json()["error"]
    r = client.get("/api/v1/cases", {"offset": "99999999999999999999"}, **auth)
    assert r.status_code == 422 and "offset" in r.json()["error"] and str(MAX_OFFSET) in r.json()["error"]
    r = client.get("/api/v1/workdays/deadline", {"start": "9999-12-31T23:59:59-12:00", "value": 1})
    assert r.status_code == 422 and "start" in r.json()["error"]
    r = client.post("/api/v1/case-events", "[" * 5000 + "]" * 5000, content_type="application/json", **auth)
    assert r.status_code == 400 and r.json()["code"] == "json_too_deep"
    r = client.get("/open311/v2/requests.json", {"start_date": "0001-01-01"})
    assert r.status_code == 400 and r.json()[0]["field"] == "start_date"


@pytest.mark.django_db
def test_pages_show_the_refusal_beside_the_field(client_as, calendar):
    page = client_as("supervisor").get("/staff/cases/", {"received_to": "9999-12-31"})
    assert page.status_code == 200
    assert "日期应在 1900 年至 2200 年之间" in page.content.decode()
    page = client_as("supervisor").get("/staff/complaints/figures/", {"to": "9999-12"})
    assert page.status_code == 400
    assert "日期应在 1900 年至 2200 年之间" in page.content.decode()
