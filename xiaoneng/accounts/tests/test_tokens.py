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


@pytest.mark.django_db
def test_source_system_defaults_to_the_name_and_is_taken_on_the_page_and_the_command(client_as, depts):
    """来源系统 (issue 9): tokens of one department and system share event ids, so a rotated token replays
    without doubling; the page and create-token take it, and it defaults to the system's name."""
    client = client_as("admin")
    resp = client.post(reverse("accounts:token_list"), {"name": "自然资源审批系统（2027）", "system": "自然资源审批系统",
                                                        "department": "TB"})
    assert resp.status_code == 200 and "来源系统" in resp.content.decode()
    assert ApiClient.objects.get(name="自然资源审批系统（2027）").system == "自然资源审批系统"
    resp = client.post(reverse("accounts:token_list"), {"name": "x", "system": "s" * 61, "department": "TB"})
    assert resp.status_code == 400 and not ApiClient.objects.filter(name="x").exists()
    out, err = StringIO(), StringIO()
    call_command("create_token", department="TA", name="窗口系统", stdout=out, stderr=err)
    call_command("create_token", department="TA", name="窗口系统 v2", system="窗口系统", stdout=out, stderr=err)
    assert sorted(ApiClient.objects.filter(department=depts["a"]).values_list("system", flat=True)) == ["窗口系统"] * 2
    assert "来源系统“窗口系统”" in err.getvalue()


@pytest.mark.django_db
def test_admin_site_cannot_move_a_token_to_another_department_or_system(client, depts):
    """A token's department and system are its identity (write scope, event-id namespace): read-only even
    for a superuser on the Django admin site."""
    from xiaoneng.accounts.models import Staff

    api, _raw = api_client_create(name="s", department=depts["a"], by=None, now=timezone.now())
    client.force_login(Staff.objects.create_superuser("root", password="x-Very-long-pass-1"))
    url = reverse("admin:accounts_apiclient_change", args=[api.pk])
    resp = client.post(url, {"name": "s2", "system": "other", "department": depts["b"].pk})
    assert resp.status_code in (200, 302)
    api.refresh_from_db()
    assert (api.department_id, api.system, api.name) == (depts["a"].pk, "s", "s2")
