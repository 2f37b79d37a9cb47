"""/api/v1/case-events and /api/v1/cases: bodies as JSON arrays and JSON Lines, readable 4xx for every bad
input (never 500), token and session scoping (404 outside scope), masking, filters, pagination."""

from __future__ import annotations

import json

import pytest

from xiaoneng.cases.models import Case

from .conftest import NOW, ev

URL = "/api/v1/case-events"


@pytest.fixture
def api(client, clients):
    """api(method, path, token='a', **kw) with the department system's bearer token."""

    def call(method, path, token="a", **kw):
        headers = {"Authorization": f"Bearer {clients['token_' + token]}"} if token else {}
        return getattr(client, method)(path, headers=headers, **kw)

    return call


def post_events(api, events, token="a"):
    return api("post", URL, token=token, data=json.dumps(events), content_type="application/json")


def test_post_json_array(items, api):
    r = post_events(api, [ev("A1", "received", "2026-11-02 09:00"), ev("A1", "accepted", "2026-11-02 10:00")])
    assert r.status_code == 200, r.content
    assert r.json() == {"accepted": 2, "duplicates": 0, "errors": []}
    r = post_events(api, [ev("A1", "completed", "2026-11-03 10:00"), {"event_id": "x"}])
    body = r.json()
    assert r.status_code == 200 and body["accepted"] == 1 and body["errors"][0]["index"] == 1
    assert body["errors"][0]["event_id"] == "x" and "case_no" in body["errors"][0]["error"]


def test_post_json_lines_with_and_without_content_type(items, api):
    lines = "\n".join(json.dumps(e) for e in [ev("A2", "received", "2026-11-02 09:00"),
                                              ev("A2", "accepted", "2026-11-02 10:00")])
    r = api("post", URL, data=lines + "\n", content_type="application/x-ndjson")
    assert r.status_code == 200 and r.json()["accepted"] == 2
    lines = "\n".join(json.dumps(e) for e in [ev("A3", "received", "2026-11-02 09:00"),
                                              ev("A3", "accepted", "2026-11-02 10:00")])
    r = api("post", URL, data=lines, content_type="application/json")  # detected: several objects, no array
    assert r.status_code == 200 and r.json()["accepted"] == 2


@pytest.mark.parametrize(("body", "ctype", "status", "text"), [
    ('[{"event_id": "1",', "application/json", 400, "JSON 格式错误"),
    ('{"event_id": "1"}\n{"event_id": \n', "application/x-ndjson", 400, "第 2 行"),
    ("", "application/json", 400, "请求体为空"),
    ('"just a string"', "application/json", 400, "JSON 数组"),
    ("\xff\xfe", "application/json", 400, "JSON"),
])
def test_malformed_bodies_are_400_with_a_reason(items, api, body, ctype, status, text):
    r = api("post", URL, data=body, content_type=ctype)
    assert r.status_code == status, r.content
    assert text in r.json()["error"]


def test_too_many_events_is_413(items, api):
    r = post_events(api, [{"event_id": str(i)} for i in range(10_001)])
    assert r.status_code == 413 and "10000" in r.json()["error"]


def test_body_too_large_is_413(items, api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    r = post_events(api, [ev(f"Z{i}", "received", "2026-11-02 09:00") for i in range(20)])
    # Whoever reads the body first (core's NUL check), an oversize body is a 413 JSON answer, never a 400 page.
    assert r.status_code == 413 and "过大" in r.json()["error"]


def test_no_token_is_401_and_revoked_token_is_401(items, api, clients):
    assert post_events(api, [], token=None).status_code == 401
    from xiaoneng.accounts.services import api_client_revoke

    api_client_revoke(client=clients["a"], by=None, now=NOW)
    assert post_events(api, [ev("A4", "received", "2026-11-02 09:00")]).status_code == 401


def test_token_writes_and_reads_only_its_department(items, api):
    r = post_events(api, [ev("B1", "received", "2026-11-02 09:00", code="ZR001")], token="a")
    assert r.json()["accepted"] == 0 and "无权写入其他部门" in r.json()["errors"][0]["error"]
    assert post_events(api, [ev("B1", "received", "2026-11-02 09:00", code="ZR001")], token="b").json()["accepted"] == 1
    assert post_events(api, [ev("A5", "received", "2026-11-02 09:00")], token="a").json()["accepted"] == 1
    assert api("get", "/api/v1/cases/B1", token="a").status_code == 404
    assert api("get", "/api/v1/cases/NOPE", token="a").status_code == 404
    own = api("get", "/api/v1/cases/A5", token="a")
    assert own.status_code == 200 and own.json()["applicant"]["id_no"] == "330102199001011234"
    listed = api("get", "/api/v1/cases", token="a").json()
    assert [c["case_no"] for c in listed["items"]] == ["A5"]


def test_case_detail_fields(items, api):
    post_events(api, [ev("D1", "received", "2026-09-28 09:00"), ev("D1", "accepted", "2026-09-28 10:00"),
                      ev("D1", "completed", "2026-10-09 10:00")])
    body = api("get", "/api/v1/cases/D1").json()
    assert body["status"] == "completed" and body["service"]["code"] == "SP001"
    assert body["service"]["name"] == "食品经营许可证核发" and body["department"]["code"] == "TA"
    assert body["committed_deadline"].startswith("2026-10-10T17:30:00+08:00") or \
        body["committed_deadline"].startswith("2026-10-10T09:30:00")
    assert body["on_time"] == "early" and body["on_time_working_days"] == 1
    assert body["suspended_working_days"] == 0
    # Decided on 9 October and never delivered: the engine carded the late delivery (3 wd, and §44's 10 wd).
    assert [(w["rule"], w["level"]) for w in body["warnings"]] == [("delivery-late", "yellow"),
                                                                   ("delivery-statutory", "red")]
    for key in ("received_at", "accepted_at", "completed_at", "statutory_deadline"):
        assert body[key]


def test_warnings_come_from_the_provider(items, api):
    """The case API lists the cards of the registered warnings provider: supervision's, which issued them
    while the events were ingested (received 2 November, never accepted: long past every limit)."""
    from xiaoneng.supervision.models import Warning

    post_events(api, [ev("W1", "received", "2026-11-02 09:00")])
    cards = [(w.rule.code, w.level, w.status) for w in Warning.objects.about(Case.objects.get(case_no="W1"))
             .select_related("rule").order_by("issued_at", "id")]
    assert cards == [("committed-yellow", "yellow", "issued"), ("statutory-red", "red", "issued"),
                     ("step-overdue", "yellow", "issued")]
    w = api("get", "/api/v1/cases/W1").json()["warnings"]
    assert [(x["rule"], x["level"], x["status"]) for x in w] == cards
    listed = api("get", "/api/v1/cases").json()["items"][0]["warnings"]
    assert [(x["rule"], x["level"], x["status"]) for x in listed] == cards


def test_list_filters_and_pagination(items, api, django_assert_max_num_queries):
    events = []
    for i in range(30):
        events.append(ev(f"L{i:02d}", "received", f"2026-11-{2 + i % 5:02d} 09:00"))
        if i % 3 == 0:
            events.append(ev(f"L{i:02d}", "accepted", f"2026-11-{2 + i % 5:02d} 10:00"))
    assert post_events(api, events).json()["accepted"] == len(events)
    with django_assert_max_num_queries(8):
        r = api("get", "/api/v1/cases", data={"limit": 7, "offset": 0})
    body = r.json()
    assert body["count"] == 30 and len(body["items"]) == 7 and body["limit"] == 7
    page2 = api("get", "/api/v1/cases", data={"limit": 7, "offset": 7}).json()["items"]
    assert not {c["case_no"] for c in page2} & {c["case_no"] for c in body["items"]}
    acc = api("get", "/api/v1/cases", data={"status": "accepted", "limit": 200}).json()
    assert acc["count"] == 10 and all(c["status"] == "accepted" for c in acc["items"])
    day = api("get", "/api/v1/cases", data={"received_from": "2026-11-02", "received_to": "2026-11-02"}).json()
    assert day["count"] == 6
    assert api("get", "/api/v1/cases", data={"service_code": "ZR001"}).json()["count"] == 0
    assert api("get", "/api/v1/cases", data={"overdue": "true"}).json()["count"] == 30  # all past due on 23 Nov
    assert api("get", "/api/v1/cases", data={"limit": 100000}).json()["limit"] == 200
    assert api("get", "/api/v1/cases", data={"department": "TA"}).json()["count"] == 30
    assert api("get", "/api/v1/cases", data={"department": "NOPE"}).json()["count"] == 0


@pytest.mark.parametrize("params", [{"status": "nonsense"}, {"received_from": "2026-13-01"}, {"limit": "x"},
                                    {"overdue": "maybe"}])
def test_bad_list_parameters_are_422_with_message(items, api, params):
    r = api("get", "/api/v1/cases", data=params)
    assert r.status_code == 422 and r.json()["error"]


def test_staff_session_scoping_and_masking(items, api, client, staff):
    post_events(api, [ev("S1", "received", "2026-11-02 09:00")], token="a")
    post_events(api, [ev("S2", "received", "2026-11-02 09:00", code="ZR001")], token="b")
    expectations = {
        "handler": ({"S1"}, False), "window": ({"S1"}, False), "head": ({"S1"}, False),
        "handler_b": ({"S2"}, False), "handler_a1": (set(), None), "supervisor": ({"S1", "S2"}, False),
        "leader": ({"S1", "S2"}, True), "admin": ({"S1", "S2"}, True),
    }
    for role, (visible, masked) in expectations.items():
        client.force_login(staff[role])
        listed = client.get("/api/v1/cases").json()
        assert {c["case_no"] for c in listed["items"]} == visible, role
        for c in listed["items"]:
            assert c["applicant"]["masked"] is masked, role
            if masked:
                assert c["applicant"]["id_no"] == "3301**********1234" and c["applicant"]["phone"] == "138****5678"
        for no in ("S1", "S2"):
            r = client.get(f"/api/v1/cases/{no}")
            assert r.status_code == (200 if no in visible else 404), (role, no)
        client.logout()


def test_staff_session_post_needs_csrf_and_writer_role(items, client, staff):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(staff["window"])
    r = strict.post(URL, data=json.dumps([ev("T1", "received", "2026-11-02 09:00")]), content_type="application/json")
    assert r.status_code in (401, 403)
    client.force_login(staff["leader"])
    r = client.post(URL, data=json.dumps([ev("T1", "received", "2026-11-02 09:00")]), content_type="application/json")
    assert r.status_code == 403 and "窗口人员" in r.json()["error"]
    client.force_login(staff["window"])
    r = client.post(URL, data=json.dumps([ev("T1", "received", "2026-11-02 09:00")]), content_type="application/json")
    assert r.status_code == 200 and r.json()["accepted"] == 1
    assert Case.objects.get(case_no="T1").events.get().source == f"s:{staff['window'].pk}"


def test_openapi_documents_the_endpoints(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/case-events" in schema["paths"] and "/api/v1/cases/{case_no}" in schema["paths"]
