"""API tokens: hashed at rest, scoped to one department, revocable, created in the UI or on the command line."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xiaoneng.accounts.models import ApiClient
from xiaoneng.accounts.services import api_client_create, api_client_revoke, token_hash
from xiaoneng.core.errors import NotPermitted


@pytest.mark.django_db
def test_token_is_stored_hashed_and_authenticates(depts):
    client, raw = api_client_create(name="市场监管审批系统", department=depts["a"], by=None, now=timezone.now())
    row = ApiClient.objects.get(pk=client.pk)
    assert raw not in (row.token_hash, row.token_prefix) and row.token_hash == token_hash(raw)
    resp = Client().get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert resp.status_code == 200
    assert resp.json() == {"kind": "client", "name": "市场监管审批系统", "department_code": "TA", "roles": []}
    assert ApiClient.objects.get(pk=client.pk).last_used_at is not None


@pytest.mark.django_db
def test_revoked_or_wrong_token_is_refused(depts, staff):
    client, raw = api_client_create(name="s", department=depts["a"], by=staff["admin"], now=timezone.now())
    api_client_revoke(client=client, by=staff["admin"], now=timezone.now())
    for header in (f"Bearer {raw}", "Bearer xn_wrong", "Bearer ", "Token abc", "Bearer " + "x" * 5000):
        resp = Client().get("/api/v1/accounts/me", HTTP_AUTHORIZATION=header)
        assert resp.status_code == 401, header
        assert "令牌" in resp.json()["error"]


@pytest.mark.django_db
def test_only_admin_creates_or_revokes(depts, staff):
    with pytest.raises(NotPermitted):
        api_client_create(name="s", department=depts["a"], by=staff["supervisor"], now=timezone.now())
    client, _ = api_client_create(name="s", department=depts["a"], by=staff["admin"], now=timezone.now())
    with pytest.raises(NotPermitted):
        api_client_revoke(client=client, by=staff["head"], now=timezone.now())


@pytest.mark.django_db
def test_admin_creates_token_in_ui_shown_once_then_revokes(client_as, depts):
    client = client_as("admin")
    resp = client.post(reverse("accounts:token_list"), {"name": "自然资源审批系统", "department": "TB"})
    assert resp.status_code == 200
    raw = resp.context["new_token"]
    assert raw.startswith("xn_") and raw in resp.content.decode()
    assert raw not in client.get(reverse("accounts:token_list")).content.decode()  # shown once only
    api = ApiClient.objects.get(name="自然资源审批系统")
    client.post(reverse("accounts:token_revoke", args=[api.pk]))
    assert Client().get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


@pytest.mark.django_db
def test_ui_token_form_errors_are_specific(client_as, depts):
    resp = client_as("admin").post(reverse("accounts:token_list"), {"name": "", "department": "NOPE"})
    assert resp.status_code == 400
    assert not ApiClient.objects.exists()
    body = resp.content.decode()
    assert "is-invalid" in body


@pytest.mark.django_db
def test_create_token_command_prints_token_once(depts):
    out, err = StringIO(), StringIO()
    call_command("create_token", department="TA", name="窗口系统", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    assert raw.startswith("xn_")
    assert Client().get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {raw}").json()["department_code"] == "TA"
    with pytest.raises(CommandError, match="不存在"):
        call_command("create_token", department="NOPE", name="x", stdout=out, stderr=err)
