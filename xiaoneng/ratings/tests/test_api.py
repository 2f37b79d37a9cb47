"""The ratings API: POST /api/v1/ratings (tokens of the case's department, staff), GET one, the list and the
figures — every bad input a 4xx JSON naming the field in Chinese, nothing stored."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from xiaoneng.accounts.services import api_client_create
from xiaoneng.ratings.models import Rating, Rectification
from xiaoneng.ratings.services.rating import rating_record

from .conftest import at

URL = "/api/v1/ratings"


@pytest.fixture
def tokens(depts):
    out = {}
    for key in ("a", "b"):
        _, raw = api_client_create(name=f"sys-{key}", department=depts[key], by=None, now=at("2026-09-01 09:00"))
        out[key] = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    return out


def post(client, body, headers, **kw):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json", **headers, **kw)


def test_a_department_system_rates_its_own_ended_case(client, ended_case, tokens):
    ended_case("R1")
    r = post(client, {"case_no": "R1", "level": 5, "reasons": ["efficient"], "comment": "很好"}, tokens["a"])
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["level"] == 5 and body["rectification"] is None
    rating = Rating.objects.get(pk=body["id"])
    assert rating.channel == "api" and rating.source == "sys-a"
    again = post(client, {"case_no": "R1", "level": 1}, tokens["a"])
    assert again.status_code == 409 and again.json()["field"] == "case_no" and "评价过" in again.json()["error"]
    got = client.get(f"{URL}/{body['id']}", **tokens["a"]).json()
    assert got["case_no"] == "R1" and got["department"] == "TA" and got["reasons"] == ["efficient"]
    assert got["rectification"] is None and got["comment"] == "很好"


def test_a_bad_rating_answers_its_rectification(client, ended_case, tokens):
    ended_case("R1")
    r = post(client, {"case_no": "R1", "level": 1, "reasons": ["poor-attitude"], "channel": "import",
                      "rated_at": "2026-10-01T09:00:00+08:00", "comment": "电话13812345678"}, tokens["a"])
    assert r.status_code == 201, r.content
    rect = r.json()["rectification"]
    assert rect["status"] == "open" and rect["due_at"].endswith("+08:00")
    assert Rectification.objects.count() == 1
    got = client.get(f"{URL}/{r.json()['id']}", **tokens["a"]).json()
    assert "13812345678" not in got["comment"] and got["rectification"]["status"] == "open"


def test_another_departments_case_answers_like_an_unknown_one(client, ended_case, tokens):
    ended_case("R1")
    other = post(client, {"case_no": "R1", "level": 5}, tokens["b"])
    unknown = post(client, {"case_no": "NOPE", "level": 5}, tokens["b"])
    assert other.status_code == unknown.status_code == 404
    assert other.json()["field"] == unknown.json()["field"] == "case_no"
    assert other.json()["error"].replace("R1", "X") == unknown.json()["error"].replace("NOPE", "X")
    assert not Rating.objects.exists()


@pytest.mark.parametrize("body, field", [
    ({"level": 5}, "case_no"),
    ({"case_no": "", "level": 5}, "case_no"),
    ({"case_no": 123, "level": 5}, "case_no"),
    ({"case_no": "R1"}, "level"),
    ({"case_no": "R1", "level": "5"}, "level"),
    ({"case_no": "R1", "level": 10**30}, "level"),
    ({"case_no": "R1", "level": 4.0}, "level"),
    ({"case_no": "R1", "level": True}, "level"),
    ({"case_no": "R1", "level": {"a": [1]}}, "level"),
    ({"case_no": "R1", "level": 5, "reasons": ["no-such"]}, "reasons"),
    ({"case_no": "R1", "level": 5, "reasons": "efficient"}, "reasons"),
    ({"case_no": "R1", "level": 5, "reasons": [[["x"]]]}, "reasons"),
    ({"case_no": "R1", "level": 5, "comment": "长" * 501}, "comment"),
    ({"case_no": "R1", "level": 5, "comment": 5}, "comment"),
    ({"case_no": "R1", "level": 5, "channel": "kiosk"}, "channel"),
    ({"case_no": "R1", "level": 5, "channel": "default"}, "channel"),
    ({"case_no": "R1", "level": 5, "rated_at": "yesterday"}, "rated_at"),
    ({"case_no": "R1", "level": 5, "rated_at": "2026-10-01T09:00:00"}, "rated_at"),
    ({"case_no": "R1", "level": 5, "rated_at": "0001-01-01T00:00:00+14:00"}, "rated_at"),
    ({"case_no": "R1", "level": 5, "rated_at": "9999-12-31T23:59:59-12:00"}, "rated_at"),
    ({"case_no": "R1", "level": 5, "rated_at": "2099-01-01T00:00:00+08:00"}, "rated_at"),
    ({"case_no": "R1", "level": 5, "rated_at": 20261001}, "rated_at"),
    ({"case_no": "R1", "level": 5, "hack": 1}, "hack"),
    (["R1", 5], "body"),
    ("not json", "body"),
])
def test_bad_input_names_the_field_in_chinese_and_stores_nothing(client, ended_case, tokens, body, field):
    ended_case("R1")
    r = post(client, body, tokens["a"])
    assert 400 <= r.status_code < 500, r.content
    data = r.json()
    assert data.get("field") == field, data
    assert any("\u4e00" <= ch <= "\u9fff" for ch in data["error"])
    assert not Rating.objects.exists()


def test_an_unfinished_case_cannot_be_rated(client, accepted_case, tokens):
    accepted_case("C1")
    r = post(client, {"case_no": "C1", "level": 5}, tokens["a"])
    assert r.status_code == 400 and r.json()["field"] == "case_no" and "尚未办结" in r.json()["error"]


def test_deeply_nested_json_is_refused(client, ended_case, tokens):
    ended_case("R1")
    r = post(client, '{"case_no": "R1", "level": 5, "reasons": ' + "[" * 5000 + "]" * 5000 + "}", tokens["a"])
    assert 400 <= r.status_code < 500 and not Rating.objects.exists()


def test_staff_sessions(client, ended_case, staff):
    ended_case("R1")
    ended_case("B1", code="ZR001", handler="handler_b")
    client.force_login(staff["leader"])
    assert post(client, {"case_no": "R1", "level": 5}, {}).status_code == 403
    client.force_login(staff["handler_b"])
    assert post(client, {"case_no": "R1", "level": 5}, {}).status_code == 404
    client.force_login(staff["window"])
    assert post(client, {"case_no": "R1", "level": 5}, {}).status_code == 403
    client.force_login(staff["handler"])
    r = post(client, {"case_no": "R1", "level": 2}, {})
    assert r.status_code == 201 and r.json()["rectification"]["status"] == "open"
    client.logout()
    assert post(client, {"case_no": "B1", "level": 5}, {}).status_code == 401


@pytest.fixture
def rated(ended_case):
    now = at("2026-10-09 10:00")
    a = rating_record(case=ended_case("R1"), level=1, reasons=["poor-attitude"], channel="api", now=now,
                      rater_name="王五", rater_phone="13912345678", comment="打13912345678找我")
    b = rating_record(case=ended_case("B1", code="ZR001", handler="handler_b"), level=5, channel="api", now=now)
    return a, b


def test_reading_one_is_scoped(client, rated, tokens, staff):
    a, b = rated
    assert client.get(f"{URL}/{a.pk}", **tokens["a"]).status_code == 200
    assert client.get(f"{URL}/{b.pk}", **tokens["a"]).status_code == 404
    assert client.get(f"{URL}/{10**30}", **tokens["a"]).status_code == 404
    assert client.get(f"{URL}/abc", **tokens["a"]).status_code == 404
    for role, sees_b in (("supervisor", True), ("leader", True), ("head", False), ("handler", False)):
        client.force_login(staff[role])
        assert client.get(f"{URL}/{a.pk}").status_code == 200
        assert client.get(f"{URL}/{b.pk}").status_code == (200 if sees_b else 404)
    client.force_login(staff["window"])
    assert client.get(f"{URL}/{a.pk}").status_code == 404
    client.force_login(staff["supervisor"])
    assert "13912345678" in client.get(f"{URL}/{a.pk}").json()["comment"]  # the office reads it whole
    client.force_login(staff["head"])
    assert "13912345678" not in client.get(f"{URL}/{a.pk}").json()["comment"]


def test_the_list_filters_and_pages(client, rated, tokens, staff, django_assert_max_num_queries):
    mine = client.get(URL, **tokens["a"]).json()
    assert mine["count"] == 1 and mine["items"][0]["department"] == "TA"
    client.force_login(staff["supervisor"])
    with django_assert_max_num_queries(9):  # session, account, roles, count, page, reasons: not one per rating
        every = client.get(URL + "?period=2026Q4&limit=1").json()
    with django_assert_max_num_queries(9):
        assert len(client.get(URL + "?period=2026Q4").json()["items"]) == 2
    assert every["count"] == 2 and len(every["items"]) == 1
    assert client.get(URL + "?period=2026Q3").json()["count"] == 0
    assert client.get(URL + "?level=5").json()["count"] == 1
    assert client.get(URL + "?department=TB").json()["count"] == 1
    for bad, field in (("period=2026Q5", "period"), ("level=9", "level"), ("level=x", "level"),
                       ("limit=100000", "limit"), ("voided=maybe", "voided")):
        r = client.get(f"{URL}?{bad}")
        assert 400 <= r.status_code < 500 and (r.json().get("field") == field or
                                               r.json()["errors"][0]["field"] == field), (bad, r.json())
    client.force_login(staff["head"])
    assert client.get(URL + "?department=TB").status_code == 404
    assert client.get(URL, **tokens["b"]).json()["count"] == 1
    assert client.get(URL + "?department=TA", **tokens["b"]).status_code == 404


def test_the_figures_endpoint(client, rated, tokens, staff):
    r = client.get(URL + "/figures?period=2026Q4", **tokens["a"])
    assert r.status_code == 200
    body = r.json()
    assert body["period"] == "2026Q4" and body["period_label"] == "2026年第四季度"
    assert [d["department"] for d in body["departments"]] == ["TA"]
    assert body["departments"][0]["bad"] == 1 and "好评率" in body["definitions"]["good_rate"]
    assert client.get(URL + "/figures?period=2026Q4&department=TB", **tokens["a"]).status_code == 404
    assert client.get(URL + "/figures?period=2026Q9", **tokens["a"]).json()["field"] == "period"
    assert client.get(URL + "/figures", **tokens["a"]).json()["period"] == \
        f"{timezone.localtime().year}Q{(timezone.localtime().month - 1) // 3 + 1}"
    client.force_login(staff["leader"])
    rows = client.get(URL + "/figures?period=2026Q4").json()["departments"]
    assert {"TA", "TB"} <= {d["department"] for d in rows}
    client.force_login(staff["window"])
    assert client.get(URL + "/figures?period=2026Q4").status_code == 403
    client.logout()
    assert client.get(URL + "/figures?period=2026Q4").status_code == 401
