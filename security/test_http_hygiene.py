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
