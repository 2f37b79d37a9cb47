"""POST/GET /api/v1/information-requests: a department system's token registers and reads its own department's
requests; idempotency by header; bad input is a 400 naming the field in Chinese; nothing stored then."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from xiaoneng.disclosure.models import InformationRequest

URL = "/api/v1/information-requests"
BODY = {"applicant_kind": "person", "applicant_name": "张晓明", "phone": "+86 139-1234-5678",
        "description": "本局 2025 年行政处罚案件统计表"}


@pytest.fixture
def tokens(db, depts):
    from xiaoneng.accounts.services import api_client_create
    from xiaoneng.supervision.defaults import rules_ensure_defaults

    rules_ensure_defaults()
    now = timezone.now()
    _a, ta = api_client_create(name="市场监管门户", department=depts["a"], by=None, now=now)
    _b, tb = api_client_create(name="自然资源门户", department=depts["b"], by=None, now=now)
    return {"a": ta, "b": tb}


def post(client, token, body, **headers):
    return client.post(URL, data=json.dumps(body), content_type="application/json",
                       HTTP_AUTHORIZATION=f"Bearer {token}", **headers)


def test_a_token_registers_and_reads_its_own_departments_request(client, calendar, tokens):
    r = post(client, tokens["a"], BODY, HTTP_IDEMPOTENCY_KEY="portal-1")
    assert r.status_code == 201, r.content
    data = r.json()
    assert set(data) == {"number", "due_at", "tracking_code"} and data["number"].startswith("YSQ-")
    assert data["due_at"].endswith("+08:00") and "17:30:00" in data["due_at"]
    again = post(client, tokens["a"], BODY, HTTP_IDEMPOTENCY_KEY="portal-1")
    assert again.status_code == 201 and again.json() == data and InformationRequest.objects.count() == 1
    conflict = post(client, tokens["a"], {**BODY, "description": "别的"}, HTTP_IDEMPOTENCY_KEY="portal-1")
    assert conflict.status_code == 409 and conflict.json()["field"] == "idempotency_key"
    got = client.get(f"{URL}/{data['number']}", HTTP_AUTHORIZATION=f"Bearer {tokens['a']}")
    assert got.status_code == 200
    g = got.json()
    assert g["phone"] == "13912345678" and g["status"] == "received" and g["events"][0]["kind"] == "receive"
    other = client.get(f"{URL}/{data['number']}", HTTP_AUTHORIZATION=f"Bearer {tokens['b']}")
    unknown = client.get(f"{URL}/YSQ-2026-99999", HTTP_AUTHORIZATION=f"Bearer {tokens['b']}")
    assert other.status_code == unknown.status_code == 404 and other.json() == unknown.json()


def test_bad_input_is_a_400_naming_the_field(client, calendar, tokens):
    cases = [
        ({**BODY, "applicant_kind": "alien"}, "applicant_kind"),
        ({k: v for k, v in BODY.items() if k != "applicant_name"}, "applicant_name"),
        ({**BODY, "description": 5}, "description"),
        ({**BODY, "description": "长" * 2001}, "description"),
        ({**BODY, "department": "TB"}, "department"),  # another department's code
        ({**BODY, "department": "T00X"}, "department"),
        ({**BODY, "channel": "letter"}, "received_at"),  # a letter needs its sign-off moment
        ({**BODY, "channel": "letter", "received_at": "2026-10-09T09:00:00"}, "received_at"),  # no zone
        ({**BODY, "channel": "letter", "received_at": "0001-01-01T00:00:00+14:00"}, "received_at"),
        ({**BODY, "channel": "letter", "received_at": "9999-12-31T23:59:59-12:00"}, "received_at"),
        ({**BODY, "received_at": "2026-10-09T09:00:00+08:00"}, "received_at"),  # online: the system's moment
        ({**BODY, "phone": "=cmd|' /C calc'!A0"}, "phone"),
        ({**BODY, "phone": "", "email": "", "address": ""}, "phone"),
        ({**BODY, "delivery": "pigeon"}, "delivery"),
    ]
    for body, field in cases:
        r = post(client, tokens["a"], body)
        assert r.status_code == 400, (body, r.content)
        data = r.json()
        assert data.get("field") == field, (body, data)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in data["error"])
    r = client.post(URL, data="[1]", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {tokens['a']}")
    assert r.status_code == 400
    r = client.post(URL, data="{", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {tokens['a']}")
    assert r.status_code == 400
    assert not InformationRequest.objects.exists()


def test_a_letter_through_the_api_counts_from_its_sign_off(client, calendar, tokens):
    now = timezone.localtime()
    body = {**BODY, "channel": "letter", "received_at": now.replace(microsecond=0).isoformat()}
    r = post(client, tokens["a"], body)
    assert r.status_code == 201
    req = InformationRequest.objects.get()
    assert req.channel == "letter" and req.received_at == now.replace(microsecond=0)


def test_staff_sessions_and_strangers_are_refused(client, calendar, tokens, staff):
    assert client.post(URL, data=json.dumps(BODY), content_type="application/json").status_code == 401
    client.force_login(staff["supervisor"])
    r = client.get(f"{URL}/YSQ-2026-00001")
    assert r.status_code == 403 and "部门系统" in r.json()["error"]
