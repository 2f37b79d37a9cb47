"""Test helpers that build real accounts through the real services (no mocks)."""

from __future__ import annotations

from xiaoneng.accounts.models import Department, Staff
from xiaoneng.accounts.services import department_create, staff_create

TEST_PASSWORD = "Xiaoneng-Test-2026!"


def make_department_tree() -> dict[str, Department]:
    county = department_create(code="T00", name="测试县人民政府", kind=Department.Kind.COUNTY)
    a = department_create(code="TA", name="测试县市场监督管理局", parent=county)
    a1 = department_create(code="TA1", name="登记注册科", kind=Department.Kind.SECTION, parent=a)
    b = department_create(code="TB", name="测试县自然资源局", parent=county)
    office = department_create(code="TX", name="测试县效能办", kind=Department.Kind.OFFICE, parent=county)
    return {"county": county, "a": a, "a1": a1, "b": b, "office": office}


def make_staff(username: str, department: Department | None, roles: list[str]) -> Staff:
    return staff_create(
        username=username, name=username, department=department, roles=roles, password=TEST_PASSWORD
    )
