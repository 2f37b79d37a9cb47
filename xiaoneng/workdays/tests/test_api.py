"""The public /api/v1/workdays/ endpoints: answers, and a readable 4xx for every bad input."""

from __future__ import annotations

import pytest

API = "/api/v1/workdays/"


def get(client, path, **params):
    return client.get(API + path, params)


def test_add(client, calendar):
    r = get(client, "add", start="2026-09-30", days=5)
    assert r.status_code == 200
    assert r.json() == {"date": "2026-10-13", "provisional": False}
    assert get(client, "add", start="2027-03-01", days=1).json()["provisional"] is True
    assert get(client, "add", start="2026-10-08", days=-1).json()["date"] == "2026-09-30"


def test_between(client, calendar):
    r = get(client, "between", start="2026-09-30", end="2026-10-13")
    assert r.status_code == 200
    assert r.json() == {"working_days": 5, "provisional": False}


def test_is_working_day(client, calendar):
    r = get(client, "is-working-day", date="2026-10-10").json()
    assert r["working_day"] is True and r["kind"] == "workday"
    r = get(client, "is-working-day", date="2026-10-01").json()
    assert r["working_day"] is False and r["kind"] == "holiday" and r["name"] == "国庆节"
    assert get(client, "is-working-day", date="2026-11-07").json()["kind"] == "weekend"


def test_years(client, calendar):
    years = get(client, "years").json()
    assert [y["year"] for y in years] == list(range(2020, 2028))
    assert years[-1]["status"] == "provisional" and years[-1]["workdays"] == 0
    assert years[-2]["status"] == "official" and years[-2]["workdays"] == 6


def test_deadline(client, calendar):
    r = get(client, "deadline", start="2026-09-30T10:00:00+08:00", value=5, unit="wd")
    assert r.status_code == 200
    body = r.json()
    assert body["at"] == "2026-10-13T17:30:00+08:00"
    assert body["skipped"][0] == {"date": "2026-10-01", "reason": "国庆节"}
    assert "国庆节" in body["explanation"]
    # no offset: China Standard Time
    assert get(client, "deadline", start="2026-09-30T10:00", value=5).json()["at"] == "2026-10-13T17:30:00+08:00"


@pytest.mark.parametrize(
    ("path", "params", "status", "field"),
    [
        ("add", {"start": "2026-13-45", "days": 1}, 422, "start"),
        ("add", {"start": "abc", "days": 1}, 422, "start"),
        ("add", {"start": "20260930", "days": 1}, 422, "start"),  # not a Unix timestamp
        ("add", {"start": "2026-09-30T10:00", "days": 1}, 422, "start"),
        ("add", {"days": 1}, 422, "start"),
        ("add", {"start": "2026-09-30", "days": "x"}, 422, "days"),
        ("add", {"start": "2026-09-30", "days": "1.5"}, 422, "days"),
        ("add", {"start": "2026-09-30", "days": 3651}, 400, "days"),
        ("add", {"start": "2026-09-30", "days": -3651}, 400, "days"),
        ("add", {"start": "2026-09-30", "days": "99999999999999999999999999"}, 400, "days"),
        ("add", {"start": "2031-01-01", "days": 1}, 400, "start"),
        ("add", {"start": "2027-12-01", "days": 100}, 400, "days"),
        ("between", {"start": "2026-10-02", "end": "2026-10-01"}, 400, "end"),
        ("between", {"start": "2026-10-02", "end": "2026-02-31"}, 422, "end"),
        ("between", {"start": "2019-10-02", "end": "2026-10-01"}, 400, "start"),
        ("is-working-day", {"date": "2035-01-01"}, 400, "date"),
        ("is-working-day", {"date": ""}, 422, "date"),
        ("deadline", {"start": "yesterday", "value": 1}, 422, "start"),
        ("deadline", {"start": "2026-09-30T10:00", "value": 1, "unit": "weeks"}, 422, "unit"),
        ("deadline", {"start": "2026-09-30T10:00", "value": -1}, 400, "value"),
        ("deadline", {"start": "2026-09-30T10:00", "value": 100000}, 400, "value"),
    ],
)
def test_bad_input_is_a_readable_4xx(client, calendar, path, params, status, field):
    r = get(client, path, **params)
    assert r.status_code == status, r.content
    body = r.json()
    assert body.get("field") == field or any(e.get("field") == field for e in body.get("errors", []))
    # a Chinese message naming the field (missing years name the year and how to import it instead)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["error"])
    if body.get("code") == "calendar_year_missing":
        assert "“工作日历”页面导入" in body["error"] and "xiaoneng" not in body["error"]
    else:
        assert field in body["error"]


@pytest.mark.django_db
def test_no_calendar_at_all_is_a_400_not_a_500(client):
    r = get(client, "add", start="2026-09-30", days=1)
    assert r.status_code == 400
    assert r.json()["code"] == "calendar_year_missing"
    assert get(client, "years").json() == []


def test_api_is_public(client, calendar):
    # no token, no session
    assert get(client, "add", start="2026-09-30", days=1).status_code == 200


def test_openapi_documents_the_endpoints(client, calendar):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for p in ("add", "between", "is-working-day", "years", "deadline"):
        assert f"/api/v1/workdays/{p}" in paths
