"""Browser: the annual disclosure report (issue 14 §2) — the office opens bureau A's 2025 report, rewrites its
overview, publishes it; a citizen on a phone (390 px, no account) finds it among the year's published reports,
reads the tables and downloads the PDF; axe finds no serious or critical violation on the public pages.
Screenshots in artefacts/screenshots/."""

from __future__ import annotations

import pytest

from e2e.conftest import login, shot
from e2e.test_accessibility import violations
from xiaoneng.disclosure.tests.report_fixture import build_year

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def year(depts, staff):
    build_year(depts)
    return depts


def test_office_publishes_and_a_citizen_reads_on_a_phone(page, browser, live_server, year):
    login(page, "supervisor")
    page.goto("/staff/disclosure/reports/?year=2025")
    page.get_by_role("link", name="测试县市场监督管理局").click()
    page.wait_for_url("**/staff/disclosure/reports/2025/TA/")
    assert page.locator("[data-testid=status]").inner_text().strip() == "未发布"
    cells = page.locator("tr[data-key=new] td").all_inner_texts()
    assert cells == ["3", "2", "1", "1", "1", "1", "9"]
    page.fill("#id_overview", "2025年，本局深入贯彻《中华人民共和国政府信息公开条例》，全年新收申请9件，均在法定期限内办理。")
    page.fill("#id_problems", "政策解读形式较为单一，下一步将丰富图表解读。")
    page.click("[data-testid=save]")
    page.wait_for_url("**/staff/disclosure/reports/2025/TA/")
    page.click("[data-testid=publish]")
    page.wait_for_url("**/staff/disclosure/reports/2025/TA/")
    assert page.locator("[data-testid=status]").inner_text().startswith("已发布")
    shot(page, "disclosure-report-office")

    ctx = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, device_scale_factor=2,
                              is_mobile=True, has_touch=True, base_url=live_server.url, bypass_csp=True)
    phone = ctx.new_page()
    phone.set_default_timeout(15000)
    try:
        phone.goto("/disclosure/reports/2025/")
        shot(phone, "disclosure-report-public-year-phone")
        assert violations(phone) == []
        phone.get_by_role("link", name="测试县市场监督管理局").click()
        phone.wait_for_url("**/disclosure/reports/2025/TA/")
        assert "本局深入贯彻" in phone.locator("[data-testid=overview]").inner_text()
        assert phone.locator("tr[data-key=carried_forward] td").last.inner_text() == "2"
        # nothing wider than the phone but the tables' own scrolling regions
        overflow = phone.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        # the small tables fit the phone; the national table 三 (8 columns) and table 四 (15 result columns) scroll
        # sideways inside their wrappers, label in view — their headings keep four characters a line
        # (e2e/test_phone_width.py), which no phone fits across 15 columns
        widths = phone.evaluate("""() => Object.fromEntries([...document.querySelectorAll('table[data-testid]')]
            .map(t => [t.dataset.testid, t.parentElement.scrollWidth - t.parentElement.clientWidth]))""")
        assert {k: v for k, v in widths.items() if k not in ("table-requests", "table-reviews")} == {
            "table-documents": 0, "table-decisions": 0, "table-fees": 0}, widths
        assert widths["table-requests"] > 0 and widths["table-reviews"] > 0, widths  # scroll, not squeeze
        shot(phone, "disclosure-report-public-phone")
        assert violations(phone) == []
        pdf = phone.request.get("/disclosure/reports/2025/TA/pdf/")
        assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    finally:
        ctx.close()
