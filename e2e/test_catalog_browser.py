"""Browser tests of the service catalogue: a citizen finds and reads a service guide on a desktop and on a
phone; an administrator edits an item and sees the new version in its history. Screenshots are saved."""

from __future__ import annotations

import random
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from e2e.conftest import login, shot
from xiaoneng.catalog.demo import seed_catalog
from xiaoneng.catalog.services import service_item_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

ITEM = {
    "code": "SCJG-0001",
    "name": "食品经营许可证核发",
    "category": "licensing",
    "item_type": "committed",
    "audience": "both",
    "description": "从事食品销售和餐饮服务活动，应当依法取得食品经营许可。",
    "conditions": "具有与经营的食品品种、数量相适应的食品原料处理和食品加工、销售、贮存等场所。",
    "legal_basis": "《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》",
    "statutory_limit_value": 20, "statutory_limit_unit": "wd",
    "committed_limit_value": 10, "committed_limit_unit": "wd",
    "suspension_allowed": True, "suspension_reasons": ["supplement", "site_survey"],
    "deemed_approval": False, "online": True, "offline": True,
    "online_url": "https://zwfw.example.gov.cn/spjy", "max_visits": 1,
    "location": "县政务服务中心二楼 12-14 号市场监管窗口（人民路 88 号）",
    "office_hours": "工作日 上午 9:00-12:00，下午 13:30-17:00",
    "phone": "0571-88001234", "complaint_phone": "12345", "result": "食品经营许可证",
    "materials": [
        {"name": "食品经营许可申请书", "form": "original", "copies": 1, "source": "applicant"},
        {"name": "营业执照", "form": "copy", "copies": 1, "source": "government", "note": "可数据共享免提交"},
        {"name": "食品安全管理制度文本", "form": "original", "copies": 1, "source": "applicant"},
        {"name": "经营场所平面布局图", "form": "copy", "copies": 1, "source": "applicant"},
        {"name": "授权委托书及受托人身份证明", "form": "original", "copies": 1, "requirement": "conditional",
         "condition": "委托他人办理的", "source": "applicant"},
    ],
    "fees": [],
    "steps": [
        {"kind": "accept", "name": "受理", "limit_value": 1, "post": "综合窗口", "description": "材料不全的一次性告知"},
        {"kind": "review", "name": "审核", "limit_value": 5, "post": "许可科", "description": "必要时现场核查"},
        {"kind": "approve", "name": "批准", "limit_value": 3, "post": "分管局长"},
        {"kind": "complete", "name": "办结", "limit_value": 1, "post": "许可科"},
        {"kind": "deliver", "name": "送达", "limit_value": 2, "post": "综合窗口", "description": "窗口领取或免费邮寄"},
    ],
}


@pytest.fixture
def catalogue(depts, staff):
    item = service_item_create(department=depts["a"], data=ITEM, by=staff["admin"], now=T0)
    seed_catalog(departments=[depts["a"], depts["b"], depts["a1"]], rng=random.Random(11), count=30, now=T0)
    return item


def test_citizen_finds_and_reads_guide(page, catalogue):
    page.goto("/guide/")
    page.fill("#guide-q", "食品经营")
    page.click("[data-testid=guide-search] button[type=submit]")
    page.wait_for_url("**/guide/?q=*")
    results = page.locator("[data-testid=guide-results] a")
    assert results.count() >= 1
    shot(page, "catalog-guide-search")
    page.click("text=食品经营许可证核发 >> nth=0")
    page.wait_for_selector("[data-testid=guide-title]")
    assert page.inner_text("[data-testid=guide-title]") == "食品经营许可证核发"
    assert page.inner_text("[data-testid=guide-committed]") == "10个工作日"
    assert page.locator("[data-testid=guide-materials] li").count() == 5
    assert page.locator("[data-testid=guide-steps] li").count() == 5
    assert "本事项不收费" in page.inner_text("[data-testid=guide-free]")
    assert page.locator("button[data-print]").is_visible()
    shot(page, "catalog-guide-detail")


def test_citizen_reads_guide_on_phone(phone_page, catalogue):
    page = phone_page
    page.goto("/guide/")
    shot(page, "catalog-guide-list-phone")
    page.goto("/guide/SCJG-0001/")
    page.wait_for_selector("[data-testid=guide-title]")
    # Readable at 390px: nothing wider than the screen.
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    assert page.locator("[data-testid=guide-materials]").is_visible()
    shot(page, "catalog-guide-detail-phone")
    page.emulate_media(media="print")
    assert not page.locator("button[data-print]").is_visible()
    shot(page, "catalog-guide-detail-print")


def test_admin_edits_item_and_sees_version_two(page, catalogue, staff):
    login(page, "admin")
    page.goto("/staff/catalog/?q=SCJG-0001")
    shot(page, "catalog-staff-list")
    page.click("text=食品经营许可证核发")
    page.wait_for_selector("[data-testid=item-title]")
    page.click("[data-testid=item-edit]")
    page.wait_for_selector("[data-testid=item-form]")
    page.fill("#id_committed_limit_value", "7")
    page.fill("#id_change_note", "承诺时限由10个工作日压缩为7个工作日")
    # Add a material through the "add a row" button (formset.js) and fill it.
    page.click("[data-formset-add=materials]")
    page.fill("#id_materials-5-name", "食品安全管理人员健康证明")
    page.select_option("#id_materials-5-form", "copy")
    shot(page, "catalog-item-edit")
    page.click("[data-testid=item-save]")
    page.wait_for_selector("[data-testid=version-2]")
    history = page.inner_text("[data-testid=version-history]")
    assert "第 2 版" in history and "第 1 版" in history and "现行" in history
    assert "承诺时限由10个工作日压缩为7个工作日" in history
    assert "新增 食品安全管理人员健康证明" in history
    assert page.inner_text("[data-testid=guide-committed]") == "7个工作日"
    shot(page, "catalog-item-version-2")
    page.click("[data-testid=version-1] a")
    page.wait_for_selector("[data-testid=guide-committed]")
    assert page.inner_text("[data-testid=guide-committed]") == "10个工作日"
    # The public guide shows the new version at once.
    page.goto("/guide/SCJG-0001/")
    assert page.inner_text("[data-testid=guide-committed]") == "7个工作日"


def test_admin_sees_errors_beside_fields(page, catalogue):
    login(page, "admin")
    page.goto("/staff/catalog/SCJG-0001/edit/")
    page.fill("#id_committed_limit_value", "30")
    page.click("[data-testid=item-save]")
    page.wait_for_selector("[data-testid=form-errors]")
    assert page.locator("#id_committed_limit_value.is-invalid").count() == 1
    assert "承诺时限不能长于法定时限" in page.content()
    shot(page, "catalog-item-edit-errors")
