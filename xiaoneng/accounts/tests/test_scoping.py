"""Department scoping: decided once in accounts.selectors, proven on every accounts page and endpoint."""

import pytest
from django.urls import reverse

from xiaoneng.accounts.models import Staff
from xiaoneng.accounts.selectors import department_list_for, scope_to_staff, staff_list_for

ROLES = ["window", "handler", "handler_a1", "head", "handler_b", "supervisor", "leader", "admin"]


@pytest.mark.django_db
def test_handler_sees_own_department_subtree_only(staff, depts):
    codes = set(department_list_for(staff["handler"]).values_list("code", flat=True))
    assert codes == {"TA", "TA1"}
    assert set(department_list_for(staff["handler_a1"]).values_list("code", flat=True)) == {"TA1"}
    assert set(department_list_for(staff["handler_b"]).values_list("code", flat=True)) == {"TB"}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["supervisor", "leader", "admin"])
def test_county_wide_roles_see_everything(staff, depts, role):
    assert department_list_for(staff[role]).count() == len(depts)


@pytest.mark.django_db
def test_scope_applies_to_related_rows(staff, depts):
    qs = scope_to_staff(Staff.objects.all(), staff["handler_b"])
    assert set(qs.values_list("username", flat=True)) == {"handler_b"}
    assert staff_list_for(staff["head"]).filter(department=depts["b"]).count() == 0


@pytest.mark.django_db
def test_inactive_or_departmentless_staff_see_nothing(staff, depts):
    s = staff["handler"]
    s.is_active = False
    s.save()
    assert department_list_for(s).count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_department_detail_of_other_department(client_as, role):
    client = client_as(role)
    resp = client.get(reverse("accounts:department_detail", args=["TB"]))
    expected = 200 if role in ("handler_b", "supervisor", "leader", "admin") else 404
    assert resp.status_code == expected
    if expected == 200:
        assert "测试县自然资源局" in resp.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_department_list_never_names_unseen_departments(client_as, role):
    body = client_as(role).get(reverse("accounts:department_list")).content.decode()
    sees_b = role in ("handler_b", "supervisor", "leader", "admin")
    assert ("测试县自然资源局" in body) == sees_b


def test_anonymous_is_sent_to_login(client, db):
    for name, args in [("accounts:department_list", []), ("accounts:department_detail", ["TA"]),
                       ("accounts:staff_list", []), ("accounts:token_list", []), ("core:home", [])]:
        resp = client.get(reverse(name, args=args))
        assert resp.status_code == 302 and "/accounts/login/" in resp["Location"], name


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_staff_list_permissions(client_as, role):
    resp = client_as(role).get(reverse("accounts:staff_list"))
    allowed = role in ("head", "supervisor", "leader", "admin")
    assert resp.status_code == (200 if allowed else 403)
    if role == "head":
        body = resp.content.decode()
        assert "handler_a1" in body and "handler_b" not in body


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_token_pages_admin_only(client_as, role, depts):
    client = client_as(role)
    assert client.get(reverse("accounts:token_list")).status_code == (200 if role == "admin" else 403)
    resp = client.post(reverse("accounts:token_list"), {"name": "x", "department": "TA"})
    assert resp.status_code == (200 if role == "admin" else 403)


@pytest.mark.django_db
def test_api_departments_scoped_for_staff_and_tokens(client_as, depts):
    from django.utils import timezone

    from xiaoneng.accounts.services import api_client_create

    resp = client_as("handler_b").get("/api/v1/accounts/departments")
    assert resp.status_code == 200
    assert {d["code"] for d in resp.json()} == {"TB"}
    _, raw = api_client_create(name="审批系统", department=depts["a"], by=None, now=timezone.now())
    from django.test import Client

    resp = Client().get("/api/v1/accounts/departments", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert {d["code"] for d in resp.json()} == {"TA", "TA1"}
