"""Public department figures /departments/<code>/ and the published ranking /rankings/ (issue 14 §1, §3): the
figures equal the published score lines (hand fixture in conftest.py), each with its period and the small-sample
flag; unpublished and superseded revisions never shown; a department never evaluated says so plainly; CSV and
Excel downloads with formulas neutralised; query counts pinned; bad input answers 400 naming the field."""

from __future__ import annotations

import io
from decimal import Decimal as D

import pytest

from xiaoneng.evaluation.models import Score

from .conftest import NOW

FORMULA = "=cmd|' /C calc'!A0"


@pytest.mark.django_db
def test_unpublished_evaluations_are_never_shown(quarters, depts, client):
    r = client.get("/departments/TA/")
    html = r.content.decode()
    assert r.status_code == 200 and "暂无已发布的考核数据" in html
    assert "50%" not in html and "2026年第三季度" not in html
    r = client.get("/rankings/")
    assert r.status_code == 200 and "暂无已发布的考核数据" in r.content.decode()
    assert client.get("/rankings/", {"period": "2026Q3"}).status_code == 404


@pytest.mark.django_db
def test_department_figures_equal_the_published_score_lines(published, depts, client):
    r = client.get("/departments/TA/")
    html = r.content.decode()
    assert r.status_code == 200, html[:500]
    q3 = Score.objects.get(evaluation=published["q3"], department=depts["a"])
    line = q3.lines.get(code="on_time_rate")
    # By hand: one of two on time = 50%, numerator 1 of denominator 2, fewer than the minimum sample of 3.
    assert (line.numerator, line.denominator, line.value) == (D(1), D(2), D("0.5"))
    assert "50%" in html and "计算依据：1 / 2" in html and "样本较少" in html
    assert "2026年第三季度" in html and "2026年第二季度" in html
    assert f"{q3.rank} / {q3.group_size}" in html and str(q3.score) in html
    assert q3.get_grade_display() in html
    # The trend: both published quarters in the table under the chart, oldest first, 100% in Q2.
    table = html[html.index('data-testid="table-trend"'):]
    assert table.index("2026年第二季度") < table.index("2026年第三季度") and "100%" in table
    assert 'id="dept-chart-data"' in html and "portal/figures.js" in html and "<script>" not in html
    # Never a person: the handlers and applicants behind the figures are not on the page.
    for secret in ("张三", "handler_a", "13812345678"):
        assert secret not in html
    b = client.get("/departments/TB/").content.decode()
    assert "100%" in b and "计算依据：2 / 2" in b


@pytest.mark.django_db
def test_a_department_never_evaluated_and_an_unknown_one(published, depts, client):
    r = client.get(f"/departments/{depts['office'].code}/")
    assert r.status_code == 200 and "暂无已发布的考核数据" in r.content.decode()
    assert client.get("/departments/NOPE/").status_code == 404
    assert client.get("/departments/" + "X" * 300 + "/").status_code == 404


@pytest.mark.django_db
def test_a_correction_shows_the_revision_in_force(published, depts, client, people, ended_case):  # noqa: F811
    from xiaoneng.evaluation.services.evaluate import evaluation_publish, evaluation_run

    ended_case("A3", received="2026-09-29 09:00", ended="2026-09-29 10:00")
    ended_case("A4", received="2026-09-29 09:00", ended="2026-09-29 11:00")
    evaluation_publish(evaluation_run("2026Q3", now=NOW, reason="补录两件办件"), now=NOW)
    html = client.get("/departments/TA/").content.decode()
    # By hand: three of four on time = 75%; the superseded 50% is gone.
    assert "75%" in html and "计算依据：3 / 4" in html and "计算依据：1 / 2" not in html


@pytest.mark.django_db
def test_department_downloads_say_what_the_page_says(published, depts, client):
    r = client.get("/departments/TA/export/", {"fmt": "csv"})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    text = r.content.decode("utf-8-sig")
    assert "2026年第三季度" in text and "50%" in text and "样本较少" in text
    r = client.get("/departments/TA/export/", {"fmt": "xlsx"})
    assert r.status_code == 200
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.values)
    assert rows[0][0] == "考核期" and rows[-1][0] == "2026年第三季度" and "50%" in rows[-1]
    bad = client.get("/departments/TA/export/", {"fmt": "pdf"})
    assert bad.status_code == 400 and "导出格式" in bad.content.decode()


@pytest.mark.django_db
def test_exported_names_are_neutralised(published, depts, client):
    from xiaoneng.accounts.models import Department

    Department.objects.filter(pk=depts["a"].pk).update(name=FORMULA)
    Score.objects.filter(department=depts["a"]).update(flags=[FORMULA])
    csv = client.get("/rankings/export/", {"period": "2026Q3", "fmt": "csv"}).content.decode("utf-8-sig")
    assert FORMULA not in csv.replace("'" + FORMULA, "") and "'" + FORMULA in csv
    from openpyxl import load_workbook

    r = client.get("/rankings/export/", {"period": "2026Q3", "fmt": "xlsx"})
    cells = [c for row in load_workbook(io.BytesIO(r.content)).active.iter_rows() for c in row]
    hit = [c for c in cells if c.value and FORMULA in str(c.value)]
    assert hit and all(c.data_type == "s" for c in hit)


@pytest.mark.django_db
def test_the_ranking_per_period_and_group(published, depts, client):
    r = client.get("/rankings/", {"period": "2026Q3"})
    html = r.content.decode()
    assert r.status_code == 200
    a = Score.objects.get(evaluation=published["q3"], department=depts["a"])
    b = Score.objects.get(evaluation=published["q3"], department=depts["b"])
    assert b.rank_overall < a.rank_overall
    assert html.index("测试县自然资源局") < html.index("测试县市场监督管理局")
    assert str(a.score) in html and str(b.score) in html and "样本较少" in html
    assert 'href="/departments/TA/"' in html
    # Default: the newest published period; the older one by its code.
    assert "2026年第三季度" in client.get("/rankings/").content.decode()
    q2 = client.get("/rankings/", {"period": "2026Q2"}).content.decode()
    assert "2026年第二季度机关效能考核结果" in q2
    g = client.get("/rankings/", {"period": "2026Q3", "group": a.group_code})
    assert g.status_code == 200
    csv = client.get("/rankings/export/", {"period": "2026Q3", "fmt": "csv"}).content.decode("utf-8-sig")
    assert csv.splitlines()[0] == "#2026年第三季度" and csv.splitlines()[1].startswith("考核分组") and "测试县市场监督管理局" in csv and str(a.score) in csv


@pytest.mark.django_db
def test_ranking_bad_input_is_400_naming_the_field(published, client):
    for params in ({"period": "2026Q5"}, {"period": "abc"}, {"period": "0000Q1"}, {"period": "99999Q1"},
                   {"period": "2026Q3", "group": "nope"}, {"period": "x" * 5000}):
        r = client.get("/rankings/", params)
        assert r.status_code == 400, params
        assert 'data-testid="form-error"' in r.content.decode()
    assert client.get("/rankings/", {"period": "2025Q1"}).status_code == 404
    assert client.get("/rankings/export/", {"period": "2026Q3", "fmt": "exe"}).status_code == 400


@pytest.mark.django_db
def test_query_counts_are_pinned(published, depts, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        assert client.get("/departments/TA/").status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get("/rankings/", {"period": "2026Q3"}).status_code == 200
