"""Browser test of the unified disclosure day (统一公开日): an office user runs the day's check and publishes its
bulletin; a citizen without an account reads the bulletin and the year's disclosure days on a phone (390px), with
no serious or critical axe violation. Screenshots under artefacts/screenshots/."""

from __future__ import annotations

import pytest

from e2e.conftest import login, shot
from e2e.test_accessibility import violations
from xiaoneng.disclosure.models import CheckStatus, DisclosureCheck
from xiaoneng.disclosure.tests.check_fixture import build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(calendar, depts, staff):
    from xiaoneng.supervision.defaults import rules_ensure_defaults

    rules_ensure_defaults()  # a transactional test flushes what migrations made
    return build(depts)


@pytest.fixture
def citizen_phone(browser, live_server):
    """A phone (390px) without an account; axe is injected as a script the pages' CSP would refuse, so only this
    context bypasses the CSP (as e2e/test_accessibility.py does)."""
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, device_scale_factor=2,
                              is_mobile=True, has_touch=True, base_url=live_server.url, bypass_csp=True)
    pg = ctx.new_page()
    pg.set_default_timeout(15000)
    yield pg
    ctx.close()


def test_the_office_runs_and_publishes_a_check_and_a_citizen_reads_it(page, citizen_phone, world):
    login(page, "supervisor")
    page.goto("/staff/disclosure/checks/")
    assert "2026年10月8日" in page.inner_text("[data-testid=days]")
    page.fill("#id_date", "2026-10-05")
    page.click("[data-testid=run]")
    assert "2026年第4季度的统一公开日是2026年10月8日" in page.inner_text("[data-testid=form-error]")
    shot(page, "disclosure-check-refused")
    page.fill("#id_date", "2026-10-08")
    page.click("[data-testid=run]")
    page.wait_for_url("**/staff/disclosure/checks/2026-10-08/")
    assert "待发布" in page.inner_text("[data-testid=status]")
    assert page.locator("[data-testid=line]").count() == 4
    shot(page, "disclosure-check-draft")
    page.click("[data-testid=publish]")
    page.wait_for_selector("[data-testid=bulletin]")
    assert "已通报" in page.inner_text("[data-testid=status]")
    assert "公开1号" in page.inner_text("[data-testid=number]")
    shot(page, "disclosure-check-published")
    assert DisclosureCheck.objects.get().status == CheckStatus.PUBLISHED
    page.goto("/staff/disclosure/days/?year=2026")
    shot(page, "disclosure-check-days")

    p = citizen_phone
    p.goto("/disclosure/checks/?year=2026")
    assert "2026年4月7日" in p.inner_text("[data-testid=days]")
    assert violations(p) == []
    shot(p, "disclosure-check-public-list-phone")
    p.click("[data-testid=public-checks] a")
    p.wait_for_selector("[data-testid=bulletin]")
    text = p.inner_text("[data-testid=bulletin]")
    assert "关于2026年第4季度统一公开日政务公开检查情况的通报" in text and "整改要求" in text
    assert violations(p) == []
    width = p.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone: {width}px"
    shot(p, "disclosure-check-public-bulletin-phone")
