"""The portal in a browser, no account, on a phone: a citizen finds a service guide by a two-character search
from the home page and opens it; switches the 适老化 mode on in the header and the next page keeps it (with
JavaScript, and without it through the link); axe finds no serious or critical violation on any portal page, in
normal and in 适老化 mode. Screenshots in artefacts/screenshots/portal-*.png."""

from __future__ import annotations

import copy
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from e2e.conftest import shot
from e2e.test_accessibility import AXE, violations  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TZ = ZoneInfo("Asia/Shanghai")
PAGES = ["/", "/search/?q=户口", "/search/?q=", "/search/", "/departments/", "/contact/", "/accessibility/",
         "/site-map/"]


@pytest.fixture
def published(depts, staff):
    """Two guides (户口迁移登记 and 社会保障卡申领), indexed."""
    from xiaoneng.catalog.services import service_item_create
    from xiaoneng.portal.search import search_sync
    from xiaoneng.portal.tests.test_search_sync import GUIDE

    now = datetime(2026, 3, 2, 10, tzinfo=TZ)
    for code, name, dept in (("HK001", "户口迁移登记", "a"), ("SB001", "社会保障卡申领", "b")):
        data = copy.deepcopy(GUIDE)
        data.update(code=code, name=name, description=f"{name}：需要的材料、时限和地点。")
        service_item_create(department=depts[dept], data=data, by=staff["admin"], now=now)
    depts["a"].address, depts["a"].phone = "人民路1号", "0571-88001234"
    depts["a"].save()
    search_sync(now=datetime(2026, 10, 9, 9, tzinfo=TZ))


def test_a_citizen_finds_a_guide_by_two_characters_on_a_phone(phone_page, published):
    pg = phone_page
    pg.goto("/")
    shot(pg, "portal-home-phone")
    pg.fill("#home-q", "户口")
    with pg.expect_navigation():
        pg.click("form[role=search] button[type=submit]")
    assert "/search/" in pg.url
    results = pg.locator(".xn-search-hit")
    assert results.count() == 2  # the other guide names 户口 in its conditions: body only, ranked after
    assert "户口迁移登记" in results.first.inner_text()
    assert pg.locator(".xn-search-hit mark").first.inner_text() == "户口"
    shot(pg, "portal-search-phone")
    # The page fits the phone: nothing wider than the viewport.
    assert pg.evaluate("() => document.documentElement.scrollWidth") <= 390
    with pg.expect_navigation():
        results.first.locator("a").first.click()
    assert pg.url.endswith("/guide/HK001/")
    assert "户口迁移登记" in pg.locator("h1").inner_text()


def test_the_elderly_mode_persists_to_the_next_page(phone_page, published):
    pg = phone_page
    pg.goto("/search/?q=户口 社保")
    size_before = pg.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")
    toggle = pg.locator("#xn-a11y-toggle")
    assert toggle.get_attribute("aria-pressed") == "false"
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    assert "退出适老化模式" in toggle.inner_text()
    size_after = pg.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert size_after == size_before * 1.25
    shot(pg, "portal-search-elderly-phone")
    pg.goto("/guide/")  # another app's public page keeps it
    assert "xn-a11y" in pg.locator("#xn-public").get_attribute("class")
    pg.goto("/")
    assert "xn-a11y" in pg.locator("#xn-public").get_attribute("class")
    shot(pg, "portal-home-elderly-phone")
    # and off again
    pg.locator("#xn-a11y-toggle").click()
    pg.goto("/departments/")
    assert "xn-a11y" not in pg.locator("#xn-public").get_attribute("class")


def test_the_elderly_mode_without_javascript(browser, live_server, published):
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, base_url=live_server.url,
                              java_script_enabled=False)
    pg = ctx.new_page()
    try:
        pg.goto("/contact/")
        with pg.expect_navigation():
            pg.click("#xn-a11y-toggle")
        assert pg.url.endswith("/contact/")
        assert "xn-a11y" in pg.locator("#xn-public").get_attribute("class")
        pg.goto("/departments/")
        assert "xn-a11y" in pg.locator("#xn-public").get_attribute("class")
        shot(pg, "portal-departments-elderly-nojs-phone")
    finally:
        ctx.close()


def test_keyboard_skip_link_and_focus(page, published):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.className")
    assert "skip-link" in focused
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    # focus has moved into the main content (the first control after the skip target)
    assert page.evaluate("() => document.activeElement.closest('main') !== null")
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")


@pytest.fixture
def axe_phone(browser, live_server):
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, base_url=live_server.url,
                              bypass_csp=True)
    pg = ctx.new_page()
    yield pg
    ctx.close()


@pytest.mark.parametrize("mode", ["normal", "elderly"])
def test_axe_on_every_portal_page(axe_phone, published, live_server, mode):
    if mode == "elderly":
        axe_phone.context.add_cookies([{"name": "xn_a11y", "value": "1", "url": live_server.url}])
    found = {}
    for url in PAGES:
        axe_phone.goto(url)
        v = violations(axe_phone)
        if v:
            found[url] = v
    if mode == "elderly":
        axe_phone.goto("/")
        shot(axe_phone, "portal-home-elderly-axe")
    assert found == {}
