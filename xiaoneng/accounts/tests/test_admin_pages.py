"""Administrators manage staff and departments in the UI; nobody else can, not even by a forged POST."""

import pytest
from django.urls import reverse

from xiaoneng.accounts.models import Department, Staff
from xiaoneng.accounts.testing import TEST_PASSWORD

ROLES = ["window", "handler", "head", "handler_b", "supervisor", "leader", "admin"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_management_pages_admin_only(client_as, role):
    client = client_as(role)
    expected = 200 if role == "admin" else 403
    for name, args in [("accounts:staff_create", []), ("accounts:staff_edit", ["handler_b"]),
                       ("accounts:department_create", []), ("accounts:department_edit", ["TB"])]:
        assert client.get(reverse(name, args=args)).status_code == expected, name
    resp = client.post(reverse("accounts:staff_edit", args=["handler_b"]),
                       {"name": "被篡改", "department": "TA", "roles": ["supervisor"]})
    assert Staff.objects.get(username="handler_b").name == ("被篡改" if role == "admin" else "handler_b")
    resp = client.post(reverse("accounts:staff_unlock", args=["handler_b"]))
    assert resp.status_code == (302 if role == "admin" else 403)


@pytest.mark.django_db
def test_admin_creates_staff_with_errors_first(client_as, depts):
    client = client_as("admin")
    url = reverse("accounts:staff_create")
    resp = client.post(url, {"username": "bad name", "name": "", "department": "NOPE", "phone": "123",
                             "password": "weak"})
    assert resp.status_code == 400
    form = resp.context["form"]
    assert set(form.errors) >= {"username", "name", "department", "roles", "phone"}
    assert "手机号码应为 11 位数字" in resp.content.decode()
    assert not Staff.objects.filter(name="").exclude(username__in=[
        "window_a", "handler_a", "handler_a1", "head_a", "handler_b", "supervisor", "leader", "admin"]).exists()
    # A weak password is refused by the validators, named on the password field.
    resp = client.post(url, {"username": "newbie", "name": "新人", "department": "TA", "roles": ["handler"],
                             "password": "abcdefgh"})
    assert resp.status_code == 400 and "password" in resp.context["form"].errors
    assert not Staff.objects.filter(username="newbie").exists()
    resp = client.post(url, {"username": "newbie", "name": "新人", "department": "TA", "roles": ["handler"],
                             "phone": "13800000000", "password": TEST_PASSWORD})
    assert resp.status_code == 302
    s = Staff.objects.get(username="newbie")
    assert s.department.code == "TA" and s.has_role("handler") and s.check_password(TEST_PASSWORD)


@pytest.mark.django_db
def test_admin_cannot_lock_themselves_out(client_as):
    client = client_as("admin")
    resp = client.post(reverse("accounts:staff_edit", args=["admin"]), {"name": "管理员", "roles": ["leader"]})
    assert resp.status_code == 400 and "不能停用自己的账户" in resp.content.decode()
    assert Staff.objects.get(username="admin").has_role("admin")


@pytest.mark.django_db
def test_admin_creates_and_edits_department(client_as, depts):
    client = client_as("admin")
    resp = client.post(reverse("accounts:department_create"),
                       {"code": "TC", "name": "测试县交通运输局", "kind": "bureau", "parent": "T00"})
    assert resp.status_code == 302
    dept = Department.objects.get(code="TC")
    assert dept.path == f"{depts['county'].path}{dept.pk}/" and dept.depth == 1
    resp = client.post(reverse("accounts:department_create"), {"code": "TC", "name": "重复", "kind": "bureau"})
    assert resp.status_code == 400 and "已存在" in resp.content.decode()
    resp = client.post(reverse("accounts:department_edit", args=["TC"]), {"name": "测试县交通局", "is_active": "on"})
    assert resp.status_code == 302
    assert Department.objects.get(code="TC").name == "测试县交通局"


@pytest.mark.django_db
def test_staff_list_runs_constant_queries(client_as, depts, django_assert_max_num_queries):
    from xiaoneng.accounts.testing import make_staff

    client = client_as("admin")
    for i in range(15):
        make_staff(f"extra{i}", depts["b"], ["handler"])
    with django_assert_max_num_queries(10):
        resp = client.get(reverse("accounts:staff_list"))
    assert resp.status_code == 200 and "extra14" in resp.content.decode()
