"""Browser test of the disclosure catalogue: a head drafts the department's catalogue from the template, files it;
the office returns it, the head files again, the office accepts it; a handler publishes an entry with a pasted
table on a phone; a citizen, with no account and on a phone, finds the department under 政务公开, reads its
catalogue and the entry, and the corrected entry's history. axe on every public page (no serious or critical
violation). Screenshots under artefacts/screenshots/."""

from __future__ import annotations

import pytest

from e2e.conftest import login, shot
from e2e.test_accessibility import violations
from xiaoneng.disclosure.models import Catalogue, DisclosureEntry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _phone(browser, live_server, *, axe: bool = False):
    # axe is injected as a script the pages' CSP would refuse: only the citizen's context (which runs it) bypasses it.
    return browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, device_scale_factor=2,
                               is_mobile=True, has_touch=True, base_url=live_server.url, bypass_csp=axe)


def _submit(page, testid: str):
    with page.expect_navigation():
        page.click(f"[data-testid={testid}]")


def test_catalogue_filing_publishing_and_the_public_pages(browser, live_server, page, calendar, depts, staff, settings,
                                                          tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # The head drafts from the template and files.
    login(page, "head_a")
    page.goto("/staff/disclosure/catalogues/")
    with page.expect_navigation():
        page.click("[data-testid=catalogue-new] button[type=submit]")
    assert page.locator("[data-testid=item-row]").count() == 11
    shot(page, "disclosure-catalogue-draft")
    _submit(page, "file")
    assert "已报备" in page.locator("[data-testid=catalogue-status]").first.inner_text()
    page.context.clear_cookies()
    # The office returns it with a reason, then (after the head files again) accepts it.
    login(page, "supervisor")
    page.goto("/staff/disclosure/catalogues/filing/")
    shot(page, "disclosure-catalogue-queue")
    page.click("[data-testid=queue-filed] a")
    page.fill("#id_reason", "请补充政府集中采购项目。")
    _submit(page, "return")
    assert "请补充政府集中采购项目。" in page.locator("[data-testid=decision-note]").inner_text()
    cat = Catalogue.objects.get(department=depts["a"])
    page.context.clear_cookies()
    login(page, "head_a")
    page.goto(f"/staff/disclosure/catalogues/{cat.pk}/")
    page.fill("[data-testid=item-add] #id_code", "ZFCG")
    page.fill("[data-testid=item-add] #id_name", "政府集中采购项目")
    page.select_option("[data-testid=item-add] #id_category", "projects")
    page.select_option("[data-testid=item-add] #id_frequency", "quarterly")
    with page.expect_navigation():
        page.click("[data-testid=item-add] button[type=submit]")
    _submit(page, "file")
    page.context.clear_cookies()
    login(page, "supervisor")
    page.goto(f"/staff/disclosure/catalogues/{cat.pk}/")
    _submit(page, "accept")
    cat.refresh_from_db()
    assert cat.status == "accepted" and cat.current
    shot(page, "disclosure-catalogue-accepted")

    # A handler publishes the month's finances on a phone, with a table pasted from a spreadsheet.
    ctx = _phone(browser, live_server)
    ph = ctx.new_page()
    login(ph, "handler_a")
    ph.goto("/staff/disclosure/entries/new/?item=CZSZ")
    ph.fill("#id_title", "2026年11月财政资金收支情况")
    ph.fill("#id_body", "本月财政资金收支情况如下。")
    ph.fill("#id_table_text", "项目\t本月（万元）\n一般公共预算收入\t120.00\n一般公共预算支出\t98.50")
    shot(ph, "disclosure-entry-form-phone")
    with ph.expect_navigation():
        ph.click("[data-testid=entry-form] button[type=submit]")
    e = DisclosureEntry.objects.get()
    assert e.table[1] == ["一般公共预算收入", "120.00"]
    ph.goto(f"/staff/disclosure/entries/{e.number}/correct/")
    ph.fill("#id_reason", "支出数据更正。")
    ph.fill("#id_table_text", "项目\t本月（万元）\n一般公共预算收入\t120.00\n一般公共预算支出\t89.50")
    with ph.expect_navigation():
        ph.click("[data-testid=entry-form] button[type=submit]")
    ctx.close()

    # A citizen on a phone, no account.
    ctx = _phone(browser, live_server, axe=True)
    pub = ctx.new_page()
    pub.goto("/disclosure/")
    assert pub.locator("[data-testid=public-department]").count() == 1
    assert violations(pub) == []
    shot(pub, "disclosure-public-index-phone")
    with pub.expect_navigation():
        pub.click("[data-testid=public-department]")
    assert "政府集中采购项目" in pub.locator("[data-testid=public-items]").inner_text()
    assert violations(pub) == []
    shot(pub, "disclosure-public-department-phone")
    with pub.expect_navigation():
        pub.click("[data-testid=public-entries] a >> nth=0")
    assert "89.50" in pub.locator("[data-testid=entry-table]").inner_text()
    assert pub.locator("[data-testid=entry-history] li").count() == 2
    assert violations(pub) == []
    shot(pub, "disclosure-public-entry-phone")
    pub.goto(f"/disclosure/entries/{e.number}/")
    assert pub.locator("[data-testid=entry-superseded]").is_visible()
    assert violations(pub) == []
    shot(pub, "disclosure-public-entry-superseded-phone")
    # No horizontal scrolling at phone width.
    assert pub.evaluate("document.documentElement.scrollWidth") <= 390
    ctx.close()
