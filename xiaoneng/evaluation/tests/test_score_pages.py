"""A score's page and a line's evidence: what each role sees, the breakdown adding up, the drill-down to the
cases behind a rate, and the frozen score against today's data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from xiaoneng.evaluation.models import Score
from xiaoneng.evaluation.services.evaluate import evaluation_publish, evaluation_run
from xiaoneng.evaluation.services.schemes import scheme_create_version

from .conftest import TZ
from .test_engine import one_indicator_spec

NOW = dt.datetime(2026, 10, 12, 9, 0, tzinfo=TZ)


@pytest.fixture
def published(depts, staff, ended_case):
    scheme_create_version(one_indicator_spec(), now=NOW)
    ended_case("Q1", received="2026-09-28 09:00", ended="2026-09-28 10:00")
    ended_case("Q2", received="2026-09-21 09:00", ended="2026-09-29 10:00")
    ev = evaluation_publish(evaluation_run("2026Q3", now=NOW), now=NOW)
    return {k: Score.objects.get(evaluation=ev, department=depts[k]) for k in ("a", "b")}


@pytest.mark.django_db
def test_the_office_reads_a_breakdown_that_adds_up(published, client_as):
    a = published["a"]
    page = client_as("supervisor").get(reverse("evaluation:score_detail", args=[a.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "测试县市场监督管理局" in html and "按时办结率" in html
    line = a.lines.get(code="on_time_rate")
    assert f"{a.base_points:.2f} − 扣分 {a.deductions:.2f} + 加分 {a.bonuses:.2f} = {a.score:.2f}" in html
    assert reverse("evaluation:line_evidence", args=[line.pk]) in html
    assert "第三季度" in html and "UTC" not in html


@pytest.mark.django_db
def test_evidence_lists_the_cases_behind_the_rate_with_links(published, client_as):
    line = published["a"].lines.get(code="on_time_rate")
    page = client_as("leader").get(reverse("evaluation:line_evidence", args=[line.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Q1" in html and "Q2" in html
    assert reverse("cases:case_detail", args=["Q1"]) in html
    assert "共 2 项" in html and "data-testid=\"evidence-changed\"" not in html


@pytest.mark.django_db
def test_a_late_change_is_said_and_the_frozen_score_stays(published, client_as, ended_case):
    a = published["a"]
    before = a.score
    ended_case("Q3", received="2026-09-29 09:00", ended="2026-09-30 10:00")  # reported after publication
    line = a.lines.get(code="on_time_rate")
    html = client_as("supervisor").get(reverse("evaluation:line_evidence", args=[line.pk])).content.decode()
    assert "共 3 项" in html and "计算时为 2 项" in html
    a.refresh_from_db()
    assert a.score == before


@pytest.mark.django_db
def test_a_head_sees_only_its_own_department(published, client_as):
    c = client_as("head")
    assert c.get(reverse("evaluation:score_detail", args=[published["a"].pk])).status_code == 200
    assert c.get(reverse("evaluation:score_detail", args=[published["b"].pk])).status_code == 404
    b_line = published["b"].lines.get(code="on_time_rate")
    assert c.get(reverse("evaluation:line_evidence", args=[b_line.pk])).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["handler", "window", "admin"])
def test_other_roles_are_refused(published, client_as, role):
    assert client_as(role).get(reverse("evaluation:score_detail", args=[published["a"].pk])).status_code == 403


@pytest.mark.django_db
def test_a_draft_is_the_office_s_alone(depts, staff, client_as):
    scheme_create_version(one_indicator_spec(), now=NOW)
    ev = evaluation_run("2026Q3", now=NOW)
    s = ev.scores.get(department=depts["a"])
    url = reverse("evaluation:score_detail", args=[s.pk])
    assert client_as("supervisor").get(url).status_code == 200
    assert client_as("leader").get(url).status_code == 404
    assert client_as("head").get(url).status_code == 404


@pytest.mark.django_db
def test_the_score_page_costs_a_fixed_number_of_queries(published, client_as, django_assert_max_num_queries):
    c = client_as("supervisor")
    url = reverse("evaluation:score_detail", args=[published["a"].pk])
    c.get(url)
    with django_assert_max_num_queries(12):
        assert c.get(url).status_code == 200
