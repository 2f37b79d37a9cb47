"""Browser: the leader's view (issue 13 §4) — a leader opens the dashboard of two published quarters built through
the real ingest and engine, reads the charts, drills from a headline figure to the departments, a department's
score, the evidence behind a line and the case; the same page at 390 px and as printed. Screenshots in
artefacts/screenshots/."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from e2e.conftest import login, shot
from xiaoneng.evaluation.tests.conftest import (  # noqa: F401  (fixtures)
    TZ,
    _supervision_env,
    ended_case,
    ingest,
    items,
    make_item,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NOW = dt.datetime(2026, 10, 12, 9, 0, tzinfo=TZ)


@pytest.fixture
def published(ended_case, staff):  # noqa: F811
    from xiaoneng.evaluation.models import Scheme
    from xiaoneng.evaluation.services.evaluate import evaluation_publish, evaluation_run
    from xiaoneng.evaluation.services.schemes import scheme_create_version

    if not Scheme.objects.filter(period_kind="quarter").exists():  # the shipped scheme (post_migrate) is used
        scheme_create_version({
            "period_kind": "quarter", "name": "驾驶舱演示方案", "valid_from": dt.date(2026, 1, 1), "total": D(100),
            "excellent_at": D(90), "good_at": D(80), "pass_at": D(60), "min_sample": 2, "bulletin_top": 8,
            "bulletin_bottom": 8, "escalation_bottom": 5,
            "indicators": [{"code": "on_time_rate", "weight": D(100), "floor": D("0.5"), "target": D(1)}],
            "deductions": [{"code": "card_red", "points": D(10), "cap": None}], "bonuses": [], "vetoes": []},
            now=NOW)
    # Q2: bureau A one case on time, one late; Q3: two on time; bureau B one on time each quarter.
    ended_case("A21", received="2026-06-15 09:00", ended="2026-06-15 10:00")
    ended_case("A22", received="2026-06-01 09:00", ended="2026-06-26 10:00")
    ended_case("B21", received="2026-06-15 09:00", ended="2026-06-15 11:00", code="ZR001", handler="handler_b")
    ended_case("A31", received="2026-09-28 09:00", ended="2026-09-28 10:00")
    ended_case("A32", received="2026-09-29 09:00", ended="2026-09-29 10:00")
    ended_case("B31", received="2026-09-28 09:00", ended="2026-09-28 11:00", code="ZR001", handler="handler_b")
    for period in ("2026Q2", "2026Q3"):
        evaluation_publish(evaluation_run(period, now=NOW), now=NOW)


def test_a_leader_drills_from_the_dashboard_to_a_case(page, phone_page, published, live_server):
    login(page, "leader")
    page.click("#staffNav >> text=领导驾驶舱")
    page.wait_for_selector("#dashboard-charts[data-ready='1']")
    assert "2026年第三季度" in page.inner_text("[data-testid=dashboard-period]")
    for chart in ("grades", "trend", "rates"):
        assert page.locator(f"#chart-{chart} canvas").count() == 1, chart
    assert "县直部门" in page.inner_text("[data-testid=table-grades]")
    shot(page, "evaluation-dashboard-desktop")

    # A headline figure (Q3 on-time rate) → the departments sorted by it.
    page.locator("[data-testid=table-metrics] tbody tr").last.locator("[data-testid=metric-on_time_rate]").click()
    page.wait_for_selector("[data-testid=drill]")
    drill = page.inner_text("[data-testid=table-drill]")
    assert "测试县市场监督管理局" in drill and "测试县自然资源局" in drill
    shot(page, "evaluation-dashboard-drill")
    # → the department's score → the evidence behind the line → the case.
    page.locator("[data-testid=table-drill] tbody tr").first.locator("th a").click()
    page.wait_for_selector("[data-testid=score-summary]")
    score_url = page.url
    shot(page, "evaluation-score-desktop")
    page.locator("[data-testid=indicators] tr[data-code=on_time_rate] th a").click()
    page.wait_for_selector("[data-testid=evidence]")
    evidence_url = page.url
    shot(page, "evaluation-dashboard-evidence")
    page.locator("[data-testid=evidence] tbody tr a").first.click()
    page.wait_for_url("**/cases/**")
    assert "A3" in page.inner_text("main")
    shot(page, "evaluation-dashboard-case")

    # Printed: no menu, no forms; charts and tables within A4.
    page.goto("/staff/evaluation/dashboard/")
    page.wait_for_selector("#dashboard-charts[data-ready='1']")
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    page.wait_for_timeout(300)
    assert not page.locator("#staffNav").is_visible()
    assert not page.locator("[data-testid=dashboard-form]").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 794, width
    shot(page, "evaluation-dashboard-print")

    login(phone_page, "leader")
    phone_page.goto("/staff/evaluation/dashboard/")
    phone_page.wait_for_selector("#dashboard-charts[data-ready='1']")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, width
    for table in ("table-grades", "table-trend", "table-metrics"):  # stacked: each row a block
        assert_fits(phone_page, f"[data-testid={table}]", f"[data-testid={table}] td")
    # The ranking keeps its table (rank, name, score, grade): the names wrap, the scores stay on screen.
    assert_fits(phone_page, "[data-testid=ranking-bureaus]", "[data-testid=ranking-bureaus] td")
    shot(phone_page, "evaluation-dashboard-phone")
    phone_page.goto("/staff/evaluation/dashboard/?period=2026Q3&metric=on_time_rate#drill")
    phone_page.wait_for_selector("[data-testid=table-drill]")
    assert_fits(phone_page, "[data-testid=table-drill]", "[data-testid=table-drill] td")
    shot(phone_page, "evaluation-dashboard-drill-phone")

    # The score page on a phone: each indicator a block, nothing behind a sideways scroll (the page's or the
    # table's own), every figure within the screen.
    phone_page.goto(score_url)
    phone_page.wait_for_selector("[data-testid=indicators]")
    assert_fits(phone_page, "[data-testid=indicators]", "[data-testid=indicators] [data-testid=points]")
    assert phone_page.locator("[data-testid=indicators] tr[data-code=on_time_rate] [data-testid=value]").is_visible()
    if phone_page.locator("[data-testid=adjustments]").count():
        assert_fits(phone_page, "[data-testid=adjustments]", "[data-testid=adjustments] td")
    shot(phone_page, "evaluation-score-phone")
    phone_page.goto(evidence_url)
    phone_page.wait_for_selector("[data-testid=evidence]")
    assert_fits(phone_page, "[data-testid=evidence]", "[data-testid=evidence] tbody td")
    shot(phone_page, "evaluation-evidence-phone")


def assert_fits(pg, table: str, cells: str) -> None:
    """No sideways scroll at the phone's width: not the page, not the table's wrapper; each cell on screen."""
    width = pg.evaluate("window.innerWidth")
    assert width <= 390, width  # a phone's browser widens its viewport (zooms out) when the page overflows
    assert pg.evaluate("document.documentElement.scrollWidth") <= width
    wrap = pg.locator(table).locator("xpath=..")
    assert wrap.evaluate("e => e.scrollWidth <= e.clientWidth"), "the table scrolls inside its box"
    for box in pg.locator(cells).evaluate_all("els => els.map(e => e.getBoundingClientRect().right)"):
        assert box <= width, box


def test_a_head_is_refused(page, published, live_server):
    login(page, "head_a")
    resp = page.goto("/staff/evaluation/dashboard/")
    assert resp.status == 403
    page.goto("/staff/")
    assert "领导驾驶舱" not in page.inner_text("#staffNav")


def test_a_province_s_dashboard_draws_each_group_s_top_and_bottom(page, phone_page, depts, staff, live_server):
    """Sixty bureaus and eight townships (scores written directly, as test_pages_scale builds them): five places
    each side per group, the gap said, the full ranking one click away and paged."""
    from xiaoneng.evaluation.tests.test_pages_scale import build

    build(depts, bureaus=60, towns=8)
    login(page, "leader")
    page.goto("/staff/evaluation/dashboard/?places=5")
    page.wait_for_selector("#dashboard-charts[data-ready='1']")
    bureaus = page.locator("[data-testid=ranking-bureaus] tbody tr[data-department]")
    assert bureaus.count() == 10
    assert "中间 50 个单位未列出" in page.inner_text("[data-testid=ranking-bureaus]")
    assert page.locator("[data-testid=ranking-towns] [data-testid=ranking-gap]").count() == 0  # 8 towns ≤ 5 + 5: all shown
    shot(page, "evaluation-dashboard-province-desktop")
    page.click("[data-testid=ranking-full-bureaus]")
    page.wait_for_selector("[data-testid=full-ranking]")
    assert page.locator("[data-testid=full-ranking] tbody tr").count() == 50
    assert page.inner_text("[data-testid=page-number]") == "1 / 2"
    page.click("[data-testid=next-page]")
    page.wait_for_selector("[data-testid=page-number] >> text=2 / 2")
    assert page.locator("[data-testid=full-ranking] tbody tr").count() == 10
    shot(page, "evaluation-full-ranking-desktop")

    login(phone_page, "leader")
    phone_page.goto("/staff/evaluation/dashboard/?places=5")
    phone_page.wait_for_selector("#dashboard-charts[data-ready='1']")
    assert_fits(phone_page, "[data-testid=ranking-bureaus]", "[data-testid=ranking-bureaus] td")
    shot(phone_page, "evaluation-dashboard-province-phone")
    phone_page.click("[data-testid=ranking-full-bureaus]")
    phone_page.wait_for_selector("[data-testid=full-ranking]")
    assert_fits(phone_page, "[data-testid=full-ranking]", "[data-testid=full-ranking] td:visible")
    shot(phone_page, "evaluation-full-ranking-phone")
