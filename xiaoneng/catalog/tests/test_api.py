"""The JSON API and Open311 show exactly the fields the guide page shows (one serializer), publicly,
with readable 404s and without a query per row."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.urls import reverse

from xiaoneng.catalog.demo import seed_catalog
from xiaoneng.catalog.serializers import GuideOut, guide_data
from xiaoneng.catalog.services import service_item_deactivate, service_item_revise

from .conftest import T0


@pytest.fixture
def many(depts):
    # A department offers only the items its kind really has (no "（1类）" copies): a fourth department makes
    # up the 60 the query-count test pages through.
    from xiaoneng.accounts.services import department_create

    health = department_create(code="TW", name="测试县卫生健康局", parent=depts["county"])
    made = seed_catalog(departments=[depts["a"], depts["b"], depts["a1"], health], rng=random.Random(3), count=60,
                        now=T0)
    assert made == 60
    return made


def test_schema_mirrors_serializer(item_a):
    assert set(GuideOut.model_fields) == set(guide_data(item_a))


def test_api_item_equals_guide_page(client, item_a):
    page = client.get(reverse("catalog:guide_detail", args=["SP001"]))
    assert page.status_code == 200
    guide = page.context["guide"]
    api = client.get("/api/v1/catalog/items/SP001")
    assert api.status_code == 200
    assert api.json() == guide
    html = page.content.decode()
    for value in (guide["name"], guide["department_name"], guide["committed_limit"]["text"],
                  guide["statutory_limit"]["text"], guide["location"], guide["legal_basis"]):
        assert value in html
    for m in guide["materials"]:
        assert m["name"] in html
    for s in guide["steps"]:
        assert s["name"] in html and s["limit"]["text"] in html


def test_api_list_filters_and_pagination(client, item_a, item_b, many):
    r = client.get("/api/v1/catalog/items", {"limit": 5, "offset": 0})
    body = r.json()
    assert r.status_code == 200 and body["count"] == many + 2 and len(body["items"]) == 5
    assert client.get("/api/v1/catalog/items", {"limit": 5, "offset": 5}).json()["items"][0]["code"] != \
        body["items"][0]["code"]
    by_dept = client.get("/api/v1/catalog/items", {"department": "TB", "limit": 200}).json()
    assert by_dept["count"] > 0 and all(i["department_code"] == "TB" for i in by_dept["items"])
    # A bureau's filter includes its sections.
    sub = client.get("/api/v1/catalog/items", {"department": "TA", "limit": 200}).json()
    assert {"TA", "TA1"} == {i["department_code"] for i in sub["items"]}
    q = client.get("/api/v1/catalog/items", {"q": "食品经营许可"}).json()
    assert "SP001" in [i["code"] for i in q["items"]]
    joint = client.get("/api/v1/catalog/items", {"type": "joint", "limit": 200}).json()
    assert all(i["item_type"] == "joint" for i in joint["items"])
    offline = client.get("/api/v1/catalog/items", {"online": "false", "limit": 200}).json()
    assert all(not i["online"] for i in offline["items"])
    assert client.get("/api/v1/catalog/items", {"type": "nonsense"}).status_code == 422
    # Out-of-range paging is the client's mistake: a 422 naming the field, never a silent clamp or a 500.
    resp = client.get("/api/v1/catalog/items", {"limit": 100000})
    assert resp.status_code == 422 and resp.json()["errors"][0]["field"] == "limit"
    assert "200" in resp.json()["error"]
    resp = client.get("/api/v1/catalog/items", {"offset": 2**63})
    assert resp.status_code == 422 and resp.json()["errors"][0]["field"] == "offset"
    assert client.get("/api/v1/catalog/items", {"department": "NOPE"}).json()["count"] == 0


def test_unknown_and_inactive_codes_404_readable(client, item_a, staff):
    r = client.get("/api/v1/catalog/items/NOPE")
    assert r.status_code == 404 and "NOPE" in r.json()["error"]
    service_item_deactivate(item=item_a, by=staff["admin"], now=T0)
    assert client.get("/api/v1/catalog/items/SP001").status_code == 404
    assert client.get("/open311/v2/services/SP001.json").status_code == 404
    assert client.get(reverse("catalog:guide_detail", args=["SP001"])).status_code == 404
    assert "SP001" not in [s["service_code"] for s in client.get("/open311/v2/services.json").json()]


def test_open311_services(client, item_a, item_b):
    r = client.get("/open311/v2/services.json")
    assert r.status_code == 200
    services = r.json()
    sp = next(s for s in services if s["service_code"] == "SP001")
    assert sp["service_name"] == "食品经营许可证核发" and sp["metadata"] is True and sp["type"] == "realtime"
    assert sp["group"] == "测试县市场监督管理局" and "SP001" in sp["keywords"]
    guide = guide_data(item_a)
    for key, value in guide.items():
        if key != "description":
            assert sp[key] == value, key
    definition = client.get("/open311/v2/services/SP001.json").json()
    assert definition["service_code"] == "SP001"
    codes = [a["code"] for a in definition["attributes"]]
    # The catalogue's own attributes first; complaints/open311.py adds what a complaint letter needs after them.
    assert codes[:4] == ["case_number", "problem", "materials_submitted", "details"]
    materials = next(a for a in definition["attributes"] if a["code"] == "materials_submitted")
    assert [v["name"] for v in materials["values"]] == [m["name"] for m in guide["materials"]]
    assert all({"variable", "datatype", "required", "order", "description"} <= set(a) for a in definition["attributes"])
    missing = client.get("/open311/v2/services/NOPE.json")
    assert missing.status_code == 404 and "NOPE" in missing.json()["error"]


def test_api_shows_current_version(client, item_a, content, staff):
    content["committed_limit_value"] = 4
    service_item_revise(item=item_a, data=content, by=staff["admin"], now=T0 + timedelta(days=1), change_note="")
    body = client.get("/api/v1/catalog/items/SP001").json()
    assert body["version"] == 2 and body["committed_limit"] == {"value": 4, "unit": "wd", "unit_label": "工作日",
                                                               "text": "4个工作日"}


def test_api_and_open311_query_counts(client, many, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        r = client.get("/api/v1/catalog/items", {"limit": 60})
    assert len(r.json()["items"]) == 60
    with django_assert_max_num_queries(6):
        services = client.get("/open311/v2/services.json").json()
    # services.json also lists the complaint categories (group 效能投诉, codes TS-…) since the complaints app.
    assert len([s for s in services if s.get("group") != "效能投诉"]) == many
