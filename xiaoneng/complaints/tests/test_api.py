"""/api/v1/complaints (token or staff session), the figures for the evaluation capability, and Open311
GeoReport v2 (services with complaint categories, requests form-encoded and JSON, public reads)."""

from __future__ import annotations

import base64
import json

import pytest

from xiaoneng.complaints import services
from xiaoneng.complaints.models import Complaint, Status

from .conftest import LETTER, T0, letter, png_bytes


def post_json(client, url, data, **headers):
    headers = {k: v for k, v in headers.items() if k != "raw"}
    return client.post(url, json.dumps(data), content_type="application/json", **headers)


# ------------------------------------------------------------------------------------------ /api/v1/complaints
def test_api_submit_with_token(client, calendar, depts, tokens):
    r = post_json(client, "/api/v1/complaints", letter(attachments=[
        {"name": "现场.png", "content_base64": base64.b64encode(png_bytes()).decode()}]), **tokens["a"])
    assert r.status_code == 201, r.content
    body = r.json()
    c = Complaint.objects.get(number=body["number"])
    assert body["tracking_code"] == c.tracking_code and body["tracking_url"].endswith(f"/complaints/track/{c.tracking_code}/")
    assert c.channel == "api" and c.client.name == "sys-a" and c.attachments.count() == 1


@pytest.mark.parametrize("field,value", [("facts", "短"), ("department", "NOPE"), ("litigation", ""),
                                         ("phone", ""), ("occurred_on", "yesterday"), ("category", "")])
def test_api_400_names_each_bad_field_and_stores_nothing(client, calendar, depts, tokens, field, value):
    r = post_json(client, "/api/v1/complaints", letter(**{field: value}), **tokens["a"])
    assert r.status_code == 400
    assert field in [e["field"] for e in r.json()["errors"]]
    assert Complaint.objects.count() == 0


@pytest.mark.parametrize("body", ["not json", "[1, 2]", "null"])
def test_api_bad_bodies(client, calendar, depts, tokens, body):
    r = client.post("/api/v1/complaints", body, content_type="application/json", HTTP_AUTHORIZATION=tokens["a"][
        "HTTP_AUTHORIZATION"])
    assert r.status_code == 400


def test_api_bad_attachment(client, calendar, depts, tokens):
    r = post_json(client, "/api/v1/complaints", letter(attachments=[{"name": "x.png", "content_base64": "%%%"}]),
                  **tokens["a"])
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "attachments"
    r = post_json(client, "/api/v1/complaints", letter(attachments=[
        {"name": "x.png", "content_base64": base64.b64encode(b"MZ-not-an-image").decode()}]), **tokens["a"])
    assert r.status_code == 400 and "类型不被接受" in r.json()["error"]


def test_api_idempotency_key_and_rate_limit(client, calendar, depts, tokens, settings):
    # A token counts against its own quota (the replay too), not against a citizen's per-IP limit.
    settings.XIAONENG_COMPLAINTS = {"RATE_PER_TOKEN": "4/h", "RATE_PER_IP": "1/h", "RATE_PER_CONTACT": "1/h"}
    h = {**tokens["a"], "HTTP_IDEMPOTENCY_KEY": "order-1"}
    n1 = post_json(client, "/api/v1/complaints", letter(), **h).json()["number"]
    n2 = post_json(client, "/api/v1/complaints", letter(), **h).json()["number"]
    assert n1 == n2 and Complaint.objects.count() == 1
    codes = [post_json(client, "/api/v1/complaints", letter(phone=f"1390000{i:04d}"), **tokens["a"]).status_code
             for i in range(5)]
    assert codes == [201, 201, 429, 429, 429]


def test_api_needs_auth_and_office_role_for_sessions(client, client_as, calendar, depts):
    assert post_json(client, "/api/v1/complaints", letter()).status_code == 401
    r = client_as("handler").post("/api/v1/complaints", json.dumps(letter()), content_type="application/json")
    assert r.status_code == 403  # a department handler does not register complaints
    r = client_as("supervisor").post("/api/v1/complaints", json.dumps(letter(channel="letter")),
                                     content_type="application/json")
    assert r.status_code == 201 and Complaint.objects.get().channel == "letter"


def test_api_list_scoping(client, calendar, depts, tokens, submit, staff):
    mine = submit()
    services.complaint_accept(complaint=mine, by=staff["supervisor"], now=T0)
    services.complaint_dispatch(complaint=mine, by=staff["supervisor"], now=T0, departments=[depts["a"]])
    submit()  # not dispatched: no department sees it
    a = client.get("/api/v1/complaints", **{"HTTP_AUTHORIZATION": tokens["a"]["HTTP_AUTHORIZATION"]}).json()
    b = client.get("/api/v1/complaints", **{"HTTP_AUTHORIZATION": tokens["b"]["HTTP_AUTHORIZATION"]}).json()
    assert [i["number"] for i in a["items"]] == [mine.number] and b == {"count": 0, "items": []}
    assert set(a["items"][0]) >= {"status", "facts", "due_at", "flag"} and "name" not in a["items"][0]
    assert client.get(f"/api/v1/complaints/{mine.number}", HTTP_AUTHORIZATION=tokens["b"]["HTTP_AUTHORIZATION"]
                      ).status_code == 404


def test_api_list_query_count(client, calendar, depts, tokens, submit, django_assert_max_num_queries):
    for i in range(40):
        submit(phone=f"1390000{i:04d}")
    client.force_login(__import__("xiaoneng.accounts.testing", fromlist=["x"]).make_staff(
        "sup9", depts["office"], ["supervisor"]))
    # 9: one of them reads the page's complainant identities at once, to mask each text from what the
    # complainant wrote (privacy.redactors_for) — constant, not one per complaint.
    with django_assert_max_num_queries(9):
        r = client.get("/api/v1/complaints", {"limit": 40})
    assert len(r.json()["items"]) == 40
    with django_assert_max_num_queries(6):
        r = client.get("/open311/v2/requests.json", {"start_date": "2026-01-01"})
    assert len(r.json()) == 40


# ------------------------------------------------------------------------------------------ figures
def test_figures_are_correct(client_as, figures_data):
    r = client_as("leader").get("/api/v1/complaints/figures", {"from": "2026-03-01", "to": "2026-04-30"})
    assert r.status_code == 200
    data = r.json()
    rows = {(x["department"], x["month"]): x for x in data["rows"]}
    a = rows[("TA", "2026-03")]
    assert (a["received"], a["accepted"], a["substantiated"], a["replied"], a["replied_on_time"]) == (4, 3, 1, 2, 1)
    assert (a["very_satisfied"], a["satisfied"], a["basic"], a["unsatisfied"], a["very_unsatisfied"], a["rated"]) == (
        0, 1, 0, 1, 0, 2)
    # 答复率: 2 replied of 3 due (the third is long past its handling limit); 办结率: 2 with a result of 3 accepted
    assert (a["reply_due"], a["reply_rate"], a["closed_with_result"], a["closure_rate"]) == (
        3, round(2 / 3, 4), 2, round(2 / 3, 4))
    assert a["response_rate"] == 1.0 and a["satisfaction_rate"] == 0.5 and "resolution_rate" not in a
    b = rows[("TB", "2026-04")]
    assert b["received"] == 1 and b["response_rate"] == 0.0 and b["reply_rate"] == 0.0 and b["closure_rate"] == 0.0
    assert set(data["definitions"]) == {"reply_rate", "closure_rate", "satisfaction_rate", "response_rate",
                                        "on_time_reply_rate"}
    assert data["definitions"]["satisfaction_rate"].startswith("满意率：评价为“非常满意”、“满意”的件数")
    assert data["total"]["received"] == 5 and data["total"]["satisfaction_rate"] == 0.5
    only_b = client_as("leader").get("/api/v1/complaints/figures", {"from": "2026-03-01", "to": "2026-04-30",
                                                                    "department": "TB"}).json()
    assert [x["department"] for x in only_b["rows"]] == ["TB"]
    page = client_as("supervisor").get("/staff/complaints/figures/", {"from": "2026-03", "to": "2026-04"})
    assert page.status_code == 200 and page.context["data"]["total"]["received"] == 5


def test_figures_scoping(client, client_as, figures_data, tokens):
    h = {"HTTP_AUTHORIZATION": tokens["a"]["HTTP_AUTHORIZATION"]}
    data = client.get("/api/v1/complaints/figures", {"from": "2026-03-01", "to": "2026-04-30"}, **h).json()
    assert {x["department"] for x in data["rows"]} == {"TA"}
    assert client.get("/api/v1/complaints/figures", {"department": "TB"}, **h).status_code == 404
    assert client_as("handler").get("/api/v1/complaints/figures").status_code == 403
    head = client_as("head").get("/api/v1/complaints/figures", {"from": "2026-03-01", "to": "2026-04-30"}).json()
    assert {x["department"] for x in head["rows"]} == {"TA"}
    assert client_as("head").get("/api/v1/complaints/figures", {"department": "TB"}).status_code == 404
    bad = client_as("leader").get("/api/v1/complaints/figures", {"from": "2026-05-01", "to": "2026-04-01"})
    assert bad.status_code == 400


# ------------------------------------------------------------------------------------------ Open311
def test_open311_services_lists_items_and_complaint_categories(client, calendar):
    services_ = client.get("/open311/v2/services.json").json()
    ours = [s for s in services_ if s["group"] == "效能投诉"]
    assert {s["service_code"] for s in ours} >= {"TS-MNJ", "TS-LNK", "TS-SNB", "TS-TWCP", "TS-CSBL", "TS-CNKY", "TS-LSF"}
    definition = client.get("/open311/v2/services/TS-CSBL.json").json()
    codes = [a["code"] for a in definition["attributes"]]
    assert codes[:4] == ["department", "occurred_on", "request", "litigation"]
    assert client.get("/open311/v2/services/TS-NOPE.json").status_code == 404
    assert client.get("/open311/v2/services/NOPE.json").status_code == 404  # handed to the catalogue


def o311_form(**over):
    data = {"service_code": "TS-CSBL", "description": LETTER["facts"], "first_name": "晓明", "last_name": "张",
            "phone": "13912345678", "email": "zhang@example.com", "attribute[department]": "TA",
            "attribute[occurred_on]": "2026-02-26", "attribute[request]": "请尽快办结。", "attribute[litigation]": "none"}
    data.update(over)
    return data


def test_open311_post_form_encoded_and_json(client, calendar, depts, tokens):
    r = client.post("/open311/v2/requests.json", {**o311_form(), "api_key": tokens["a"]["raw"]})
    assert r.status_code == 201, r.content
    sr = r.json()[0]
    c = Complaint.objects.get(number=sr["service_request_id"])
    assert c.channel == "open311" and c.identity.name == "张晓明" and c.identity_mode == "confidential"
    body = {"service_code": "TS-LNK", "description": "窗口工作人员态度恶劣，大声呵斥老人。", "api_key": tokens["a"]["raw"],
            "attribute": {"department": "TB", "occurred_on": "2026-02-27", "request": "请道歉", "litigation": "none"}}
    r = post_json(client, "/open311/v2/requests.json", body)
    assert r.status_code == 201
    c2 = Complaint.objects.get(number=r.json()[0]["service_request_id"])
    assert c2.identity_mode == "anonymous" and c2.department.code == "TB"


def test_open311_post_errors(client, calendar, depts, tokens):
    assert client.post("/open311/v2/requests.json", o311_form()).status_code == 401
    r = client.post("/open311/v2/requests.json", {**o311_form(description="短", **{"attribute[litigation]": ""}),
                                                  "api_key": tokens["a"]["raw"]})
    assert r.status_code == 400
    fields = {e["field"] for e in r.json()}
    assert fields == {"description", "attribute[litigation]"} and all(e["code"] == 400 for e in r.json())
    r = client.post("/open311/v2/requests.json", {**o311_form(service_code="SP001"), "api_key": tokens["a"]["raw"]})
    assert r.status_code == 400
    assert Complaint.objects.count() == 0


def test_open311_get_filters(client, calendar, depts, submit, staff):
    a = submit(category="TS-LSF")
    b = submit(category="TS-CSBL")
    services.complaint_refuse(complaint=b, by=staff["supervisor"], now=T0, reason="not_in_scope", text="不予受理说明")
    q = {"start_date": "2026-03-01T00:00:00+08:00", "end_date": "2026-03-03"}
    assert {r["service_request_id"] for r in client.get("/open311/v2/requests.json", q).json()} == {a.number, b.number}
    assert [r["service_request_id"] for r in client.get("/open311/v2/requests.json",
                                                         {**q, "status": "open"}).json()] == [a.number]
    assert [r["service_request_id"] for r in client.get("/open311/v2/requests.json",
                                                         {**q, "status": "closed"}).json()] == [b.number]
    assert [r["service_code"] for r in client.get("/open311/v2/requests.json",
                                                   {**q, "service_code": "TS-LSF"}).json()] == ["TS-LSF"]
    assert client.get("/open311/v2/requests.json", {"start_date": "2027-01-01"}).json() == []
    assert client.get("/open311/v2/requests.json", {"start_date": "garbage"}).status_code == 400
    assert client.get("/open311/v2/requests.json", {"status": "weird"}).status_code == 400
    one = client.get(f"/open311/v2/requests/{a.number}.json").json()[0]
    assert one["status"] == "open" and one["agency_responsible"] == "测试县市场监督管理局" and one["description"] is None
    assert set(one) >= {"service_request_id", "status", "status_notes", "service_name", "service_code",
                        "requested_datetime", "updated_datetime", "agency_responsible"}
    assert client.get("/open311/v2/requests/TS2026-999999.json").status_code == 404
    assert client.get("/open311/v2/requests.json", {"service_request_id": a.number}).json()[0]["status"] == "open"


def test_status_after_submit(submit):
    assert submit().status == Status.RECEIVED


@pytest.mark.parametrize("role,list_status,detail_status,figures_status", [
    ("window", 403, 404, 403), ("handler", 200, 200, 403), ("head", 200, 200, 200), ("handler_b", 200, 404, 403),
    ("supervisor", 200, 200, 200), ("leader", 200, 200, 200), ("admin", 200, 200, 200), ("anonymous", 401, 401, 401),
])
def test_api_permissions_for_every_role(client, staff, dispatched, role, list_status, detail_status, figures_status):
    if role != "anonymous":
        client.force_login(staff[role])
    r = client.get("/api/v1/complaints")
    assert r.status_code == list_status
    if role == "handler_b":
        assert r.json()["count"] == 0
    assert client.get(f"/api/v1/complaints/{dispatched.number}").status_code == detail_status
    assert client.get("/api/v1/complaints/figures").status_code == figures_status


def test_figures_page_for_a_head_is_their_department(client_as, figures_data):
    r = client_as("head").get("/staff/complaints/figures/", {"from": "2026-03", "to": "2026-04"})
    assert r.status_code == 200 and r.context["department"].code == "TA"
    assert {x["department"] for x in r.context["data"]["rows"]} == {"TA"}
    r = client_as("head").get("/staff/complaints/figures/", {"from": "2026-03", "to": "2026-04", "department": "TB"})
    assert r.context["department"].code == "TA"  # another department is not offered
