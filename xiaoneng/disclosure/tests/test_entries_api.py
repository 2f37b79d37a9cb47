"""POST /api/v1/disclosure/entries (department tokens, idempotent on external_id) and the public GET list."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from xiaoneng.accounts.services import api_client_create
from xiaoneng.disclosure.models import DisclosureEntry
from xiaoneng.disclosure.services import catalogues as C

URL = "/api/v1/disclosure/entries"


@pytest.fixture
def tokens(depts, staff):
    now = timezone.now() - timedelta(days=2)
    for key in ("a", "b"):
        cat = C.catalogue_create(department=depts[key], by=None, now=now)
        C.catalogue_file(catalogue=cat, by=None, now=now)
        C.catalogue_accept(catalogue=cat, by=staff["supervisor"], now=now)
    out = {}
    for key in ("a", "b"):
        _c, out[key] = api_client_create(name=f"财务系统{key}", department=depts[key], by=None, now=now)
    return out


def _post(token, body, raw=None):
    data = raw if raw is not None else json.dumps(body)
    return Client().post(URL, data, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")


def _body(**kw):
    when = (timezone.localtime() - timedelta(hours=1)).replace(microsecond=0)
    data = {"item": "CZSZ", "title": "2026年11月财政收支", "body": "收入 100 万元。", "published_at": when.isoformat()}
    data.update(kw)
    return data


def test_publish_then_idempotent_then_conflict(tokens):
    body = _body(external_id="fin-2026-11", table=[["项目", "金额"], ["收入", "100"]])
    r = _post(tokens["a"], body)
    assert r.status_code == 201, r.content
    out = r.json()
    assert out["number"].startswith("GK-TA-") and out["version"] == 1
    assert out["url"].endswith(f"/disclosure/entries/{out['number']}/")
    again = _post(tokens["a"], body)
    assert again.status_code == 200 and again.json() == out
    changed = _post(tokens["a"], {**body, "title": "改了标题"})
    assert changed.status_code == 409 and changed.json()["field"] == "external_id"
    assert DisclosureEntry.objects.count() == 1
    e = DisclosureEntry.objects.get()
    assert e.client is not None and e.table == [["项目", "金额"], ["收入", "100"]]
    # The same external id in the other bureau is its own.
    assert _post(tokens["b"], body).status_code == 201


def test_other_departments_item_is_refused_like_an_unknown_one(tokens, depts, staff):
    v2 = C.catalogue_revise(department=depts["b"], by=None, now=timezone.now())
    C.catalogue_item_add(catalogue=v2, code="BONLY", name="B 独有", category="other", frequency="yearly",
                         by=staff["handler_b"], now=timezone.now())
    C.catalogue_file(catalogue=v2, by=None, now=timezone.now())
    C.catalogue_accept(catalogue=v2, by=staff["supervisor"], now=timezone.now())
    other = _post(tokens["a"], _body(item="BONLY"))
    unknown = _post(tokens["a"], _body(item="NEVER"))
    assert other.status_code == unknown.status_code == 404
    assert other.json()["field"] == unknown.json()["field"] == "item"
    assert other.json()["error"].replace("BONLY", "X") == unknown.json()["error"].replace("NEVER", "X")
    assert not DisclosureEntry.objects.exists()


def test_staff_sessions_are_refused(tokens, staff):
    c = Client()
    c.force_login(staff["head"])
    r = c.post(URL, json.dumps(_body()), content_type="application/json")
    assert r.status_code in (403,)
    assert not DisclosureEntry.objects.exists()


def test_no_or_bad_token_is_401(tokens):
    assert Client().post(URL, json.dumps(_body()), content_type="application/json").status_code == 401
    assert _post("xn_bogus", _body()).status_code == 401


@pytest.mark.parametrize("body,field,status", [
    ({"title": "t", "published_at": "2026-11-01T09:00:00+08:00"}, "item", 400),
    ({"item": "CZSZ", "published_at": "2026-11-01T09:00:00+08:00"}, "title", 400),
    ({"item": "CZSZ", "title": "t", "body": "b"}, "published_at", 400),
    ({"item": "CZSZ", "title": "t", "body": "b", "published_at": "2026-11-01T09:00:00"}, "published_at", 400),
    ({"item": "CZSZ", "title": "t", "body": "b", "published_at": "0001-01-01T00:00:00+08:00"}, "published_at", 400),
    ({"item": "CZSZ", "title": "t", "body": "b", "published_at": "9999-12-31T00:00:00+08:00"}, "published_at", 400),
    ({"item": "CZSZ", "title": "t", "body": "b", "published_at": "2099-01-01T00:00:00+08:00"}, "published_at", 400),
    ({"item": "CZSZ", "title": "t", "body": "b", "published_at": "1999-12-31T00:00:00+08:00"}, "published_at", 400),
    ({"item": "CZSZ", "title": "t", "body": "b", "published_at": "昨天"}, "published_at", 400),
    ({"item": 12, "title": "t", "body": "b", "published_at": "2026-11-01T09:00:00+08:00"}, "item", 400),
    ({"item": "CZSZ", "title": "t", "table": [[1]], "published_at": "2026-11-01T09:00:00+08:00"}, "table", 400),
    ({"item": "CZSZ", "title": "t", "table": [["x"]] * 201, "published_at": "2026-11-01T09:00:00+08:00"}, "table", 400),
    ({"item": "CZSZ", "title": "t", "table": [["x" * 501]], "published_at": "2026-11-01T09:00:00+08:00"}, "table", 400),
    ({"item": "CZSZ", "title": "t", "table": {"a": 1}, "published_at": "2026-11-01T09:00:00+08:00"}, "table", 400),
    ({"item": "CZSZ", "title": "t", "body": "b", "published_at": "2026-11-01T09:00:00+08:00", "x": 1}, "x", 400),
    ({"item": "CZSZ", "title": "t" * 201, "body": "b", "published_at": "2026-11-01T09:00:00+08:00"}, "title", 400),
    ({"item": "CZSZ", "title": "t", "body": "", "published_at": "2026-11-01T09:00:00+08:00"}, "body", 400),
    ({"item": "CZSZ", "title": "t", "body": "b", "external_id": "a b",
      "published_at": "2026-11-01T09:00:00+08:00"}, "external_id", 400),
])
def test_bad_fields_are_400_naming_the_field_in_chinese(tokens, body, field, status):
    r = _post(tokens["a"], body)
    assert r.status_code == status, r.content
    out = r.json()
    assert out["field"] == field
    assert any("\u4e00" <= ch <= "\u9fff" for ch in out["error"])
    assert not DisclosureEntry.objects.exists()


@pytest.mark.parametrize("raw", ["", "[]", "null", "{", "\"text\"", "[" * 100 + "]" * 100,
                                 json.dumps({"item": {"a": {"b": {"c": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}}}})])
def test_malformed_and_deeply_nested_bodies_are_4xx(tokens, raw):
    r = _post(tokens["a"], None, raw=raw)
    assert 400 <= r.status_code < 500
    assert "error" in r.json()
    assert not DisclosureEntry.objects.exists()


def test_public_list_filters_and_pages(tokens, depts):
    for n in range(3):
        assert _post(tokens["a"], _body(title=f"A{n}", external_id=f"a{n}")).status_code == 201
    assert _post(tokens["b"], _body(item="ZDJC", title="B0")).status_code == 201
    c = Client()
    r = c.get(URL)
    assert r.status_code == 200 and r.json()["count"] == 4
    r = c.get(URL, {"department": "TA", "limit": 2})
    out = r.json()
    assert out["count"] == 3 and len(out["items"]) == 2 and out["items"][0]["department"] == "TA"
    assert c.get(URL, {"item": "zdjc"}).json()["count"] == 1
    assert c.get(URL, {"since": "2099-01-01"}).json()["count"] == 0
    assert c.get(URL, {"since": "9999-01-01"}).status_code in (400, 422)
    assert c.get(URL, {"limit": 10**12}).status_code in (400, 422)
    assert "published_at" in c.get(URL).json()["items"][0]


def test_huge_bodies_are_refused_before_anything_is_stored(tokens):
    big = _post(tokens["a"], _body(body="字" * 50_001))
    assert big.status_code == 400 and big.json()["field"] == "body"
    table = [["格" * 500] * 20] * 200  # the largest table allowed: 2,000,000 characters, ~6 MB as UTF-8 JSON
    r = _post(tokens["a"], _body(body="", table=table))
    assert r.status_code == 413
    assert not DisclosureEntry.objects.exists()
    ok = _post(tokens["a"], _body(body="", table=[["x" * 500] * 20] * 100))  # 1 MB of ASCII cells fits
    assert ok.status_code == 201
