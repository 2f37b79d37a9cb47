"""Browser: the office's ratings pages (ratings-core, issue 12) — the figures page with its two charts on a
desktop and on a phone, the rating list as a department head sees it (raters shown to the head of the rated
department, comments escaped), and the policy page. Screenshots in artefacts/screenshots/."""

from __future__ import annotations

import pytest
from django.utils import timezone

from e2e.conftest import login, shot
from xiaoneng.ratings.tests.conftest import (  # noqa: F401  (fixtures)
    _supervision_env,
    ended_case,
    ingest,
    items,
    make_item,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def rated(ended_case, staff):  # noqa: F811
    from xiaoneng.ratings.defaults import reasons_ensure_defaults
    from xiaoneng.ratings.services.rating import rating_record

    reasons_ensure_defaults()  # a transactional test flushes what the data migration made
    now = timezone.now()
    plan = [("A", "SP001", "handler_a", lv) for lv in (5, 5, 5, 4, 4, 3, 2, 1)] + \
           [("B", "ZR001", "handler_b", lv) for lv in (5, 4, 4, 1)]
    for i, (p, code, handler, level) in enumerate(plan):
        case = ended_case(f"{p}{i}", code=code, handler=handler)
        rating_record(case=case, level=level, channel=("link", "kiosk", "api")[i % 3], now=now,
                      reasons=["poor-attitude"] if level <= 2 else [],
                      comment="<b>窗口</b>让我跑了三趟，电话13812345678" if level == 1 else "",
                      rater_name="王小五" if level == 1 else "", rater_phone="13812345678" if level == 1 else "")


def test_the_office_reads_the_figures_on_a_desktop_and_a_phone(page, phone_page, rated, live_server):
    login(page, "supervisor")
    page.goto("/staff/ratings/figures/")
    page.wait_for_selector("#rating-charts[data-ready='1']")
    assert "好评率 = " in page.inner_text("[data-testid=definitions]")
    assert page.locator("[data-testid=small-sample]").count() >= 2
    assert page.inner_text("[data-testid=total-ratings]") == "12"
    shot(page, "ratings-figures-desktop")
    login(phone_page, "supervisor")
    phone_page.goto("/staff/ratings/figures/")
    phone_page.wait_for_selector("#rating-charts[data-ready='1']")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, width  # tables scroll inside their regions, the page does not
    shot(phone_page, "ratings-figures-phone")


def test_a_head_reads_the_departments_ratings(page, rated, live_server):
    login(page, "head_a")
    page.goto("/staff/ratings/?kind=bad")
    table = page.inner_text("[data-testid=rating-table]")
    assert "王小五 13812345678" in table and "<b>窗口</b>" in table and "电话【电话已隐去】" in table  # escaped; masked in the comment
    assert "B11" not in table  # bureau B's bad rating is not the head's
    shot(page, "ratings-list-head")
    page.click("[data-testid=rating-table] tbody tr a")
    page.wait_for_selector("[data-testid=rectification]")
    shot(page, "ratings-detail-head")


def test_the_office_changes_the_policy(page, rated, live_server):
    login(page, "supervisor")
    page.goto("/staff/ratings/settings/")
    page.fill("#p-rectification_limit_wd", "0")
    page.click("[data-testid=policy-form] button[type=submit]")
    assert "1 至 60" in page.inner_text("[data-testid=form-error]")
    page.fill("#p-rectification_limit_wd", "12")
    page.click("[data-testid=policy-form] button[type=submit]")
    page.wait_for_selector("[data-testid=policy-changes] >> text=10 → 12")
    shot(page, "ratings-policy")
