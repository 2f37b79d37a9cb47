"""Accessibility: axe-core checks the key public and staff pages (WCAG 2.1 A/AA rules: labels, contrast,
landmarks, names of buttons and links). Serious and critical violations fail the test."""

from pathlib import Path

import pytest

from e2e.conftest import CHROMIUM_ARGS, login  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"


@pytest.fixture
def axe_page(browser, live_server):
    # axe is injected as a script the pages' CSP would refuse; only this context bypasses the CSP.
    ctx = browser.new_context(locale="zh-CN", base_url=live_server.url, bypass_csp=True)
    pg = ctx.new_page()
    yield pg
    ctx.close()


def violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _service_item(depts):
    import random

    from django.utils import timezone

    from xiaoneng.catalog.demo import seed_catalog

    seed_catalog(departments=[depts["a"]], rng=random.Random(1), count=3, now=timezone.now())
    from xiaoneng.catalog.models import ServiceItem

    return ServiceItem.objects.first().code


def test_public_pages(axe_page, depts, calendar):
    code = _service_item(depts)
    for url in ["/", "/guide/", f"/guide/{code}/", "/workdays/calculator/?mode=add&start=2026-09-28&days=5",
                "/accounts/login/"]:
        axe_page.goto(url)
        assert violations(axe_page) == [], url


def test_staff_pages(axe_page, staff, depts, calendar):
    code = _service_item(depts)
    login(axe_page, "admin")
    for url in ["/staff/", "/accounts/departments/", "/accounts/staff/", "/accounts/staff/new/",
                "/accounts/tokens/", "/accounts/audit/", "/staff/calendar/", "/staff/calendar/2026/", "/staff/catalog/",
                f"/staff/catalog/{code}/", f"/staff/catalog/{code}/edit/"]:
        axe_page.goto(url)
        assert violations(axe_page) == [], url


def test_keyboard_skip_link_and_login_by_keyboard(page, staff):
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "跳到正文"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    # The whole log-in works without a mouse: the name field has focus, Tab to the password, Enter submits.
    page.goto("/accounts/login/")
    assert page.evaluate("document.activeElement.id") == "id_username"
    page.keyboard.type("handler_a")
    page.keyboard.press("Tab")
    page.keyboard.type("Xiaoneng-Test-2026!")
    page.keyboard.press("Enter")
    page.wait_for_url("**/staff/")
    assert "测试县市场监督管理局" in page.get_by_test_id("current-department").inner_text()
