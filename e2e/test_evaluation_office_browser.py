"""Browser: the office's evaluation pages (issue 13) — the office computes 2026Q3 from the form, reviews the
draft and publishes it, opens a department's score and follows an indicator to the cases behind it; the ranking
on a phone; the scheme editor refusing a bad weight beside its row; a head sees only its own department.
Screenshots in artefacts/screenshots/."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

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
def cases(ended_case, staff):  # noqa: F811
    from xiaoneng.evaluation.models import Scheme
    from xiaoneng.evaluation.services.schemes import scheme_create_version

    Scheme.objects.all().delete()
    scheme_create_version({
        "period_kind": "quarter", "name": "县直部门效能考核方案", "valid_from": dt.date(2026, 1, 1), "total": D(100),
        "excellent_at": D(90), "good_at": D(80), "pass_at": D(60), "min_sample": 3, "bulletin_top": 8,
        "bulletin_bottom": 8, "escalation_bottom": 5,
        "indicators": [{"code": "on_time_rate", "weight": D(100), "floor": D("0.5"), "target": D(1)}],
        "deductions": [{"code": "card_red", "points": D(10), "cap": None}], "bonuses": [],
        "vetoes": [{"code": "red_cards", "threshold": 5, "sanction_kind": "criticism"}]}, now=timezone.now())
    for i in range(4):
        ended_case(f"A{i}", received="2026-09-21 09:00", ended="2026-09-21 10:00")
    ended_case("A9", received="2026-08-03 09:00", ended="2026-09-29 10:00")  # far past its limit
    ended_case("B1", received="2026-09-21 09:00", ended="2026-09-22 10:00", code="ZR001", handler="handler_b")


def test_the_office_computes_publishes_and_drills_down(page, phone_page, cases, live_server):
    login(page, "supervisor")
    page.goto("/staff/evaluation/")
    page.select_option("#f-period", "2026Q3")
    page.click("[data-testid=run]")
    page.wait_for_selector("[data-testid=status] >> text=草稿")
    assert page.locator("[data-testid=overall-ranking] tbody tr").count() == 2
    assert page.locator("[data-testid=small-sample]").count() >= 1  # bureau B: one case, fewer than 3
    shot(page, "evaluation-draft-desktop")
    page.check("#f-confirm")
    page.click("[data-testid=publish]")
    page.wait_for_selector("[data-testid=status] >> text=已发布")
    shot(page, "evaluation-published-desktop")

    page.click("[data-testid=overall-ranking] tr[data-department=TA] a")
    page.wait_for_selector("[data-testid=score-summary]")
    assert "测试县市场监督管理局" in page.inner_text("h1")
    page.click("[data-testid=indicators] tr[data-code=on_time_rate] th a")
    page.wait_for_selector("[data-testid=evidence]")
    evidence = page.inner_text("[data-testid=evidence]")
    assert "A0" in evidence and "A9" in evidence and "B1" not in evidence
    shot(page, "evaluation-evidence-desktop")

    page.goto("/staff/evaluation/")
    assert "已发布" in page.inner_text("[data-testid=evaluations]")
    shot(page, "evaluation-list-desktop")
    page.goto("/staff/evaluation/groups/")
    assert "县直部门" in page.inner_text("[data-testid=groups]")
    shot(page, "evaluation-groups-desktop")

    login(phone_page, "supervisor")
    phone_page.goto("/staff/evaluation/")
    phone_page.click("[data-testid=evaluations] tbody tr a")
    phone_page.wait_for_selector("[data-testid=overall-ranking]")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, width
    shot(phone_page, "evaluation-ranking-phone")


def test_the_scheme_editor_shows_faults_beside_the_row(page, cases, live_server):
    login(page, "supervisor")
    page.goto("/staff/evaluation/schemes/")
    page.click("[data-testid=new-quarter]")
    page.wait_for_selector("[data-testid=scheme-form]")
    page.click("[data-testid=add-indicators]")
    page.wait_for_selector("[data-testid=rows-indicators] tbody tr[data-row='1']")
    page.fill("#f-valid_from", "2026-10-01")
    page.fill("[data-testid=rows-indicators] tr[data-row='0'] input[name=ind-weight]", "90")
    page.click("[data-testid=save]")
    page.wait_for_selector("[data-testid=scheme-errors]")
    assert "合计为 90 分" in page.inner_text("body")
    shot(page, "evaluation-scheme-errors-desktop")
    page.fill("[data-testid=rows-indicators] tr[data-row='0'] input[name=ind-weight]", "100")
    page.click("[data-testid=save]")
    page.wait_for_selector("[data-testid=scheme-indicators]")
    assert "第2版" in page.inner_text("h1")
    shot(page, "evaluation-scheme-desktop")


def test_a_head_sees_only_its_own(page, phone_page, cases, live_server):
    from xiaoneng.evaluation.services.evaluate import evaluation_publish, evaluation_run

    now = timezone.now()
    evaluation_publish(evaluation_run("2026Q3", now=now), now=now)
    login(page, "head_a")
    page.goto("/staff/evaluation/mine/")
    table = page.inner_text("[data-testid=my-scores]")
    assert "测试县市场监督管理局" in table and "测试县自然资源局" not in table
    shot(page, "evaluation-my-scores-head")
    assert page.goto("/staff/evaluation/").status == 403
    login(phone_page, "head_a")
    phone_page.goto("/staff/evaluation/mine/")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 400
    shot(phone_page, "evaluation-my-scores-phone")
