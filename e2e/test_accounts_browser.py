"""A handler logs in, sees their department's name, and cannot reach another department's records."""

import pytest

from e2e.conftest import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_handler_logs_in_and_cannot_see_other_department(page, staff):
    login(page, "handler_a")
    assert page.get_by_test_id("current-department").inner_text().strip() == "测试县市场监督管理局"
    shot(page, "staff-desk-handler")
    page.goto("/accounts/departments/")
    body = page.locator("main").inner_text()
    assert "测试县市场监督管理局" in body and "登记注册科" in body
    assert "测试县自然资源局" not in body
    shot(page, "departments-handler")
    resp = page.goto("/accounts/departments/TB/")
    assert resp.status == 404
    assert "页面不存在" in page.locator("main").inner_text()


def test_wrong_password_shows_chinese_error(page, staff):
    page.goto("/accounts/login/")
    page.fill("#id_username", "handler_a")
    page.fill("#id_password", "not-the-password")
    page.click("button[type=submit]")
    assert "用户名或密码错误" in page.locator("[role=alert]").inner_text()
    shot(page, "login-error")


def test_staff_shell_on_phone_has_menu_button(phone_page, staff):
    login(phone_page, "supervisor")
    menu = phone_page.get_by_label("打开菜单")
    assert menu.is_visible()
    menu.click()
    # Bootstrap marks the panel "showing" during its slide-in and "show" once it is fully open.
    phone_page.wait_for_function(
        "() => { const n = document.querySelector('#staffNav');"
        " return n.classList.contains('show') && !n.classList.contains('showing'); }"
    )
    link = phone_page.locator("#staffNav").get_by_role("link", name="部门")
    assert link.is_visible()
    shot(phone_page, "staff-menu-phone", full_page=False)


def test_english_switch(page, staff):
    page.goto("/")
    # The selector submits its form on change: wait for that navigation, not just the current page's load.
    with page.expect_navigation():
        page.select_option("#lang-select", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Service guides" in page.locator("main").inner_text()
    # The choice sticks for the next page (language cookie), and switches back the same way.
    page.goto("/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "en"
    with page.expect_navigation():
        page.select_option("#lang-select", "zh-hans")
    assert "工作人员登录" in page.locator("main").inner_text()
    shot(page, "public-index-en")


def test_lock_out_then_the_administrator_reads_it_in_the_audit_trail(page, phone_page, staff, settings):
    """Five wrong passwords lock the name (a page in Chinese saying how long and that the right password is
    refused meanwhile); the administrator finds the failures and the lock-out on the 安全审计 page, on a
    desktop and on a phone."""
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page.goto("/accounts/login/")
        page.fill("#id_username", "handler_b")
        page.fill("#id_password", "not-the-password")
        page.click("button[type=submit]")
    body = page.locator("main").inner_text()
    assert "锁定" in body and "分钟" in body
    shot(page, "login-locked-out")
    page.context.clear_cookies()
    login(page, "admin")
    page.goto("/accounts/audit/")
    table = page.get_by_test_id("audit-table").inner_text()
    assert "登录失败" in table and "登录锁定" in table and "handler_b" in table and "登录成功" in table
    assert "login_failed" not in table and "locked_out" not in table
    page.select_option("#id_kind", "locked_out")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**kind=locked_out**")
    rows = page.get_by_test_id("audit-table").locator("tbody tr")
    assert rows.count() >= 1 and all("登录锁定" in rows.nth(i).inner_text() for i in range(rows.count()))
    shot(page, "audit-trail-admin")
    login(phone_page, "admin")
    phone_page.goto("/accounts/audit/")
    width = phone_page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the audit page scrolls sideways on a phone ({width}px)"
    first = phone_page.get_by_test_id("audit-list").locator("li").first
    assert first.is_visible() and "登录成功" in first.inner_text()  # newest first: the admin's own log-in
    assert first.bounding_box()["height"] < 120, "a record on a phone is a short block, not a squeezed table row"
    shot(phone_page, "audit-trail-phone")
