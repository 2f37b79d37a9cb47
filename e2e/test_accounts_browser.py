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
