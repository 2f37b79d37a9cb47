"""HTTP hygiene (issue 9, item 13): credentials judged by what the request carries, request bodies capped with
a 413 that says so, NUL refused only when it is really there, and answers carrying personal data never kept
by a cache."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils import timezone

from xiaoneng.accounts.services import api_client_create, api_client_revoke

EVENT = {"event_id": "E1", "case_no": "C1", "service_code": "NOPE", "type": "received",
         "occurred_at": "2026-06-01T09:00:00+08:00"}


@pytest.fixture
def token(depts):
    _, raw = api_client_create(name="hygiene", department=depts["a"], by=None, now=timezone.now())
    return raw


# ------------------------------------------------------------------------------------ (b) bearer tokens
@pytest.mark.django_db
@pytest.mark.parametrize("method,url,body", [
    ("post", "/api/v1/case-events", [EVENT]),
    ("post", "/api/v1/complaints", {"facts": "x"}),
    ("get", "/api/v1/cases", None),
])
def test_a_revoked_or_bogus_token_is_401_naming_the_token_never_a_csrf_403(depts, staff, method, url, body):
    client_row, raw = api_client_create(name="old", department=depts["a"], by=None, now=timezone.now())
    api_client_revoke(client=client_row, by=None, now=timezone.now())
    # A browser session with the bogus header: the session must not stand in for the token either.
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff["supervisor"])
    for c in (Client(enforce_csrf_checks=True), browser):
        for header in (f"Bearer {raw}", "Bearer xn_bogus", "Bearer", "Basic dXNlcjpwYXNz"):
            data = json.dumps(body) if body is not None else None
            kw = {"data": data, "content_type": "application/json"} if method == "post" else {}
            r = getattr(c, method)(url, HTTP_AUTHORIZATION=header, **kw)
            assert r.status_code == 401, (url, header, r.status_code, r.content[:200])
            assert "令牌" in r.json()["error"] and "CSRF" not in r.json()["error"], r.json()
            assert r["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
def test_a_session_post_without_csrf_is_told_so_in_chinese(staff):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff["window"])
    r = browser.post("/api/v1/case-events", json.dumps([EVENT]), content_type="application/json")
    assert r.status_code == 403
    assert "CSRF" in r.json()["error"] and "X-CSRFToken" in r.json()["error"]


# ------------------------------------------------------------------------------------ (a) body caps
@pytest.mark.django_db
def test_a_body_over_the_cap_is_413_json_under_the_api_and_a_page_elsewhere(token, settings):
    from xiaoneng.core.middleware import body_limit

    big = b"x" * (settings.XIAONENG_MAX_BODY_BYTES + 1)
    for url in ("/api/v1/accounts/me", "/open311/v2/requests.json"):
        r = Client().post(url, big, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
        assert r.status_code == 413, url
        assert r["Content-Type"].startswith("application/json")
        assert "请求体过大" in r.json()["error"] and r.json()["limit_bytes"] == settings.XIAONENG_MAX_BODY_BYTES
    too_big = b"x" * (body_limit("/api/v1/case-events") + 1)
    r = Client().post("/api/v1/case-events", too_big, content_type="application/json",
                      HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 413 and "32 MB" in r.json()["error"]
    r = Client().post("/accounts/login/", {"username": "x", "password": "y" * settings.XIAONENG_MAX_BODY_BYTES})
    assert r.status_code == 413 and r["Content-Type"].startswith("text/html")
    assert "提交的内容过大" in r.content.decode()


@pytest.mark.django_db
def test_the_bulk_endpoint_takes_a_batch_of_ten_thousand_events(token, settings):
    """10,000 full events (applicant, reason, materials) fit its cap with room, and a body beyond the default
    cap is read there (here: one event padded past it)."""
    from xiaoneng.cases.ingest import MAX_BATCH
    from xiaoneng.core.middleware import body_limit

    full = {**EVENT, "event_id": "E0000000001", "case_no": "C2026-0000000001", "service_code": "SC-000001",
            "handler": "张三", "reason": "申请材料齐全，符合法定形式，予以受理。" * 3, "step": "审核",
            "applicant": {"name": "某某市某某有限责任公司", "id_no": "91330100MA2XXXXXXX", "phone": "13912345678"},
            "missing_materials": ["营业执照副本", "法定代表人身份证明"], "fee_item": "工本费", "amount": 10}
    batch = json.dumps([full] * MAX_BATCH, ensure_ascii=False).encode()
    assert settings.XIAONENG_MAX_BODY_BYTES < len(batch) < body_limit("/api/v1/case-events") / 3
    padded = b"[" + b" " * (settings.XIAONENG_MAX_BODY_BYTES + 1) + json.dumps(EVENT).encode() + b"]"
    r = Client().post("/api/v1/case-events", padded, content_type="application/json",
                      HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 200 and len(r.json()["errors"]) == 1  # read and judged: the item is unknown


# ------------------------------------------------------------------------------------ (c) NUL
@pytest.mark.django_db
def test_the_three_characters_percent_zero_zero_are_text_a_real_nul_is_refused(token):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    text = {"facts": "网页地址里的 %00 不是空字符", "category": "TS-X"}
    r = Client().post("/api/v1/complaints", json.dumps(text), content_type="application/json", **auth)
    assert r.status_code != 400 or "NUL" not in r.json()["error"], r.json()
    r = Client().post("/api/v1/complaints", json.dumps({"facts": "a\\u0000b"}), content_type="application/json",
                      **auth)  # an escaped backslash: the text \u0000, not a NUL
    assert "NUL" not in r.json().get("error", "")
    for body in (json.dumps({"facts": "a\x00b"}), '{"facts": "a\\u0000b"}', '{"facts": "\\\\\\u0000"}'):
        r = Client().post("/api/v1/complaints", body, content_type="application/json", **auth)
        assert r.status_code == 400 and "NUL" in r.json()["error"], body
    r = Client().get("/guide/", {"q": "%00"})  # sent as q=%2500: the text "%00"
    assert r.status_code == 200
    r = Client().post("/open311/v2/requests.json", "description=a%00b", content_type="application/x-www-form-urlencoded")
    assert r.status_code == 400 and "NUL" in r.json()["error"]


# ------------------------------------------------------------------------------------ (d) no-store
@pytest.mark.django_db
def test_answers_that_may_carry_personal_data_are_never_stored_by_a_cache(token, client_as):
    private = "no-store, private"
    r = Client().get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 200 and r["Cache-Control"] == private
    assert Client().get("/api/v1/cases", HTTP_AUTHORIZATION="Bearer bogus")["Cache-Control"] == private
    staff = client_as("supervisor")
    for url in ("/staff/", "/staff/cases/", "/staff/complaints/", "/accounts/password/", "/api/v1/accounts/me"):
        r = staff.get(url)
        assert r.status_code == 200 and r["Cache-Control"] == private, url
    # The public's pages and the static files stay cacheable.
    anonymous = Client()
    for url in ("/", "/guide/", "/api/v1/catalog/items", "/static/core/app.css"):
        r = anonymous.get(url)
        assert r.status_code == 200 and "no-store" not in r.get("Cache-Control", ""), url
    assert anonymous.get("/complaints/track/")["Cache-Control"] == private  # a complainant's own page
