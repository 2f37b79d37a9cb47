"""Open311: every service services.json lists can be requested (issue 10 §5). A request against a service item
is a complaint about that item's department, the problem picked giving the category; a `datetime` attribute
takes ISO 8601 date-times as GeoReport's datatype says."""

from __future__ import annotations

import copy
import json

import pytest

from xiaoneng.catalog.open311 import PROBLEMS
from xiaoneng.catalog.services import service_item_create
from xiaoneng.catalog.tests.conftest import CONTENT
from xiaoneng.complaints.models import Complaint, ComplaintCategory
from xiaoneng.complaints.open311 import PROBLEM_CATEGORIES

from .conftest import T0

URL = "/open311/v2/requests.json"


@pytest.fixture
def item(depts):
    """SP001 of bureau A1 (a section: the complaint is about the item's own department, not its bureau)."""
    data = {**copy.deepcopy(CONTENT), "code": "SP001"}
    return service_item_create(department=depts["a1"], data=data, by=None, now=T0)


def item_form(**over) -> dict:
    data = {"service_code": "SP001", "attribute[problem]": "overdue",
            "attribute[details]": "3月1日提交食品经营许可申请，承诺10个工作日，至今没有结果。",
            "attribute[occurred_on]": "2026-03-01T16:20:00+08:00", "attribute[request]": "请尽快办结。",
            "attribute[litigation]": "none", "first_name": "晓明", "last_name": "张", "phone": "13912345678"}
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def test_every_listed_service_can_be_requested_by_its_definition(client, calendar, depts, item):
    """A generic client: list the services, read each definition, fill every required attribute with a valid
    value, post it. Before, all ~360 service items answered 400 (only TS- codes were taken)."""
    services_ = client.get("/open311/v2/services.json").json()
    assert "SP001" in {s["service_code"] for s in services_}
    from xiaoneng.accounts.services import api_client_create

    _, raw = api_client_create(name="client", department=depts["a"], by=None, now=T0)
    for service in services_:
        definition = client.get(f"/open311/v2/services/{service['service_code']}.json").json()
        form = {"service_code": service["service_code"], "api_key": raw,
                "description": "窗口工作人员多次让我补充材料，每次都说还缺一样，前后跑了三趟。"}
        for a in definition["attributes"]:
            if not a["required"]:
                continue
            if a["datatype"] in ("singlevaluelist", "multivaluelist"):
                value = a["values"][0]["key"]
            elif a["datatype"] == "datetime":
                value = "2026-03-01T09:30:00+08:00"
            else:
                value = "窗口工作人员多次让我补充材料，每次都说还缺一样，前后跑了三趟。"
            form[f"attribute[{a['code']}]"] = value
        r = client.post(URL, form)
        assert r.status_code == 201, (service["service_code"], r.content.decode())
        # GeoReport v2: "realtime" services answer with the request id at once, "batch" ones with a token to
        # look it up later. Every POST here answers with the id, so the listing must say realtime.
        assert r.json()[0]["service_request_id"] and service["type"] == "realtime", service["service_code"]
    assert Complaint.objects.count() == len(services_)


def test_item_definition_adds_what_a_complaint_needs(client, calendar, item):
    d = client.get("/open311/v2/services/SP001.json").json()
    codes = [a["code"] for a in d["attributes"]]
    assert codes[:4] == ["case_number", "problem", "materials_submitted", "details"]
    assert {"occurred_on", "request", "litigation", "identity_mode"} <= set(codes) and "department" not in codes
    assert [a["order"] for a in d["attributes"]] == list(range(1, len(codes) + 1))
    occurred = next(a for a in d["attributes"] if a["code"] == "occurred_on")
    assert occurred["datatype"] == "datetime" and "ISO 8601" in occurred["datatype_description"]


def test_problem_list_maps_onto_complaint_categories(db):
    assert set(PROBLEM_CATEGORIES) == {k for k, _ in PROBLEMS}
    assert set(PROBLEM_CATEGORIES.values()) <= set(ComplaintCategory.objects.values_list("code", flat=True))


def test_request_against_an_item_is_a_complaint_about_its_department(client, calendar, depts, tokens, item):
    r = client.post(URL, {**item_form(**{"attribute[materials_submitted][]": ["1", "2"],
                                         "attribute[case_number]": "SCJ-2026-0001"}),
                          "api_key": tokens["a"]["raw"]})
    assert r.status_code == 201, r.content.decode()
    c = Complaint.objects.get(number=r.json()[0]["service_request_id"])
    assert c.department == depts["a1"] and c.category.code == "TS-CSBL" and c.case_no_text == "SCJ-2026-0001"
    assert "承诺10个工作日" in c.facts
    assert "反映的服务事项：食品经营许可证核发，事项编码 SP001；已提交材料：食品经营许可申请书、营业执照" in c.facts
    assert str(c.occurred_on) == "2026-03-01"


def test_request_as_json_with_a_materials_array(client, calendar, tokens, item):
    body = {"service_code": "SP001", "api_key": tokens["a"]["raw"], "description": "被要求提交清单以外的房产证明。",
            "attribute": {"problem": "extra_material", "materials_submitted": ["3"], "occurred_on": "2026-03-01",
                          "request": "请说明依据。", "litigation": "none"}}
    r = client.post(URL, json.dumps(body), content_type="application/json")
    assert r.status_code == 201, r.content.decode()
    c = Complaint.objects.get(number=r.json()[0]["service_request_id"])
    assert c.category.code == "TS-SNB" and "已提交材料：授权委托书" in c.facts


@pytest.mark.parametrize("value, day", [
    ("2026-03-01", "2026-03-01"),
    ("2026-03-01T10:30:00+08:00", "2026-03-01"),
    ("2026-03-01T10:30", "2026-03-01"),  # no offset: Beijing time
    ("2026-02-28T20:00:00Z", "2026-03-01"),  # 04:00 on 1 March in Beijing
    ("2026-03-01 09:15:00+08:00", "2026-03-01"),
])
def test_datetime_attribute_takes_iso_8601(client, calendar, tokens, value, day):
    form = {"service_code": "TS-CSBL", "api_key": tokens["a"]["raw"], "description": "承诺时限已过仍未办结，窗口说等领导签字。",
            "attribute[department]": "TA", "attribute[occurred_on]": value, "attribute[request]": "请尽快办结。",
            "attribute[litigation]": "none"}
    r = client.post(URL, form)
    assert r.status_code == 201, r.content.decode()
    assert str(Complaint.objects.get(number=r.json()[0]["service_request_id"]).occurred_on) == day


def test_bad_item_requests_name_each_field_and_store_nothing(client, calendar, tokens, item):
    key = {"api_key": tokens["a"]["raw"]}
    r = client.post(URL, {**item_form(**{"attribute[problem]": "weird", "attribute[occurred_on]": "03/01/2026",
                                         "attribute[materials_submitted][]": ["9"],
                                         "attribute[details]": "太慢"}), **key})
    assert r.status_code == 400
    errors = {e["field"]: e["description"] for e in r.json()}
    assert set(errors) == {"attribute[problem]", "attribute[occurred_on]", "attribute[materials_submitted]",
                           "attribute[details]"}
    assert "ISO 8601" in errors["attribute[occurred_on]"] and "9" in errors["attribute[materials_submitted]"]
    r = client.post(URL, {**item_form(service_code="NOPE"), **key})
    assert r.status_code == 400 and [e["field"] for e in r.json()] == ["service_code"]
    r = client.post(URL, {**item_form(**{"attribute[problem]": None}), **key})
    assert [e["field"] for e in r.json()] == ["attribute[problem]"]
    assert Complaint.objects.count() == 0
