"""Browser test of the county hall's window (政务服务中心, issue 10 §2): the centre's clerk sees the items of the
departments the centre hosts in 受理登记, registers a case for one of them, finds it in the centre's queue and
accepts it; the case is the department's, the centre is its intake window. Desktop and 390 px screenshots."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from e2e.conftest import login, shot
from e2e.test_cases_browser import ITEM
from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import Department
from xiaoneng.accounts.services import department_create, department_hosting_set
from xiaoneng.accounts.testing import make_staff
from xiaoneng.cases.models import Case
from xiaoneng.catalog.services import service_item_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def centre(calendar, depts, staff):
    """测试县政务服务中心 hosting bureau A (市场监管, item SP001) but not bureau B (自然资源, item ZR001)."""
    then = timezone.now() - dt.timedelta(days=30)
    service_item_create(department=depts["a"], data=ITEM, by=None, now=then)
    service_item_create(department=depts["b"], data={**ITEM, "code": "ZR001", "name": "建设用地规划许可证核发"},
                        by=None, now=then)
    c = department_create(code="TZX", name="测试县政务服务中心", kind=Department.Kind.CENTRE, parent=depts["county"])
    department_hosting_set(host=c, departments=[depts["a"]], by=staff["admin"], now=timezone.now())
    return make_staff("zx_win", c, [R.WINDOW])


def _no_horizontal_scroll(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_centre_clerk_registers_for_a_hosted_department(page, centre):
    login(page, "zx_win")
    page.goto("/staff/cases/new/")
    page.wait_for_selector("[data-testid=register-form]")
    options = page.locator("#id_item option").all_inner_texts()
    assert any("SP001" in o and "测试县市场监督管理局" in o for o in options), options
    assert not any("ZR001" in o for o in options), options  # bureau B is not hosted here
    page.select_option("#id_item", "SP001")
    page.fill("#id_applicant_name", "王小明")
    page.fill("#id_applicant_phone", "13812345678")
    shot(page, "centre-register")
    page.click("[data-testid=register-form] button[type=submit]")
    page.wait_for_selector("[data-testid=case-status]")
    case = Case.objects.get()
    assert case.department.code == "TA" and case.intake_department.code == "TZX"
    assert page.inner_text("[data-testid=intake-department]") == "测试县政务服务中心"
    assert page.inner_text("[data-testid=first-contact]") == "zx_win"
    shot(page, "centre-case")
    page.goto("/staff/cases/")
    page.click("[data-testid=window-queue] >> text=今日登记")
    page.wait_for_selector("[data-testid=case-table]")
    assert case.case_no in page.inner_text("[data-testid=case-table]")
    shot(page, "centre-queue")
    page.goto(f"/staff/cases/{case.case_no}/")
    page.click("[data-testid=case-accept]")
    page.wait_for_selector("[data-testid=case-status]")
    assert page.inner_text("[data-testid=case-status]") == "已受理"


def test_centre_queue_on_a_phone(phone_page, centre, staff):
    from xiaoneng.cases.services import case_register
    from xiaoneng.catalog.models import ServiceItem

    item = ServiceItem.objects.get(code="SP001")
    now = timezone.now()
    for i, name in enumerate(("孙八", "周九")):
        case_register(item=item, by=centre, now=now - dt.timedelta(minutes=30 - i),
                      applicant={"name": name, "phone": "13812345678"})
    page = phone_page
    login(page, "zx_win")
    page.goto("/staff/cases/?intake=mine&open=1")
    page.wait_for_selector("[data-testid=case-table]")
    assert page.locator("[data-testid=case-table] tbody tr").count() == 2
    assert _no_horizontal_scroll(page) <= 0
    shot(page, "centre-queue-phone")
    page.goto("/staff/cases/new/")
    page.wait_for_selector("[data-testid=register-form]")
    assert _no_horizontal_scroll(page) <= 0
    shot(page, "centre-register-phone")


def test_administrator_sets_the_centres_hosted_departments(page, centre):
    login(page, "admin")
    page.goto("/accounts/departments/TZX/")
    assert "测试县市场监督管理局" in page.content()  # hosted already (the fixture)
    page.get_by_role("link", name="设置", exact=True).click()  # not the menu's 系统设置 heading
    page.wait_for_selector("input[name=departments]")
    page.check("input[name=departments][value=TB]")
    shot(page, "centre-hosting")
    page.click("[data-testid=hosting-form] button[type=submit]")
    page.wait_for_url("**/accounts/departments/TZX/")
    body = page.content()
    assert "测试县自然资源局" in body and "已保存" in body
    shot(page, "centre-hosting-saved")
