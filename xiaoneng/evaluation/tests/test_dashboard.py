"""The leader's view (issue 13 §4): every chart's data equals the sums of the ScoreLines of a small fixture
whose figures are worked out by hand below; published evaluations only (drafts and superseded revisions never
counted); who may open it; the empty state; the drill-down to a department's score and a line's evidence; the
query count does not grow with departments or periods."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D

import pytest
from django.urls import reverse

from xiaoneng.accounts.services import department_create
from xiaoneng.core.periods import Period
from xiaoneng.evaluation.models import Evaluation, EvaluationStatus, Score, ScoreLine
from xiaoneng.evaluation.services.evaluate import evaluation_publish, evaluation_run
from xiaoneng.evaluation.services.schemes import scheme_create_version

from .conftest import TZ

NOW = dt.datetime(2026, 10, 12, 9, 0, tzinfo=TZ)
URL = "/staff/evaluation/dashboard/"


def spec(**over):
    s = {"period_kind": "quarter", "name": "驾驶舱测试方案", "valid_from": dt.date(2020, 1, 1), "total": D(100),
         "excellent_at": D(90), "good_at": D(80), "pass_at": D(60), "min_sample": 2, "bulletin_top": 8,
         "bulletin_bottom": 8, "escalation_bottom": 5,
         "indicators": [{"code": "on_time_rate", "weight": D(100), "floor": D("0.5"), "target": D(1)}],
         "deductions": [{"code": "card_yellow", "points": D(5), "cap": None},
                        {"code": "card_red", "points": D(10), "cap": None}], "bonuses": [], "vetoes": []}
    s.update(over)
    return s


def evaluation(scheme, code, status=EvaluationStatus.PUBLISHED, revision=1):
    p = Period.parse(code)
    return Evaluation.objects.create(period=p.code, period_kind=p.kind, starts_at=p.start, ends_at=p.end,
                                     scheme=scheme, revision=revision, status=status, computed_at=NOW,
                                     published_at=NOW if status != EvaluationStatus.DRAFT else None)


def score(ev, dept, total, grade, rank, lines=()):
    s = Score.objects.create(evaluation=ev, department=dept, group_code="bureaus", group_name="县直部门",
                             base_points=D(total), score=D(total), grade=grade, rank=rank, rank_overall=rank,
                             group_size=2)
    for kind, code, num, den, units in lines:
        scored = not (kind == "indicator" and den is None)
        ScoreLine.objects.create(score=s, kind=kind, code=code, name=code, numerator=num, denominator=den,
                                 value=(D(num) / D(den)) if den else None, units=units, scored=scored,
                                 weight=D(100) if kind == "indicator" else D(5))
    return s


@pytest.fixture
def world(depts):
    """Two bureaus, two published quarters, a superseded revision and a draft (the last two never counted).

    2026Q2 (published, revision 2): A on time 8/10, 1 red card, score 80 (良好); B on time 3/5, 2 yellow cards,
            score 60 (合格).  Revision 1 of Q2 (superseded): A 1/10, 9 red cards — must not count.
    2026Q3 (published): A on time 9/10, 2 red cards, score 90 (优秀); B not scored on time (no cases), 1 red
            card, score 0 (不合格).
    2026Q4 (draft): A 0/10, 7 yellow cards — must not count, nor be offered.
    """
    scheme = scheme_create_version(spec(), now=NOW)
    a, b = depts["a"], depts["b"]
    old = evaluation(scheme, "2026Q2", EvaluationStatus.SUPERSEDED, 1)
    score(old, a, 10, "fail", 1, [("indicator", "on_time_rate", 1, 10, None), ("deduction", "card_red", None, None, 9)])
    q2 = evaluation(scheme, "2026Q2", revision=2)
    sa2 = score(q2, a, 80, "good", 1, [("indicator", "on_time_rate", 8, 10, None),
                                       ("deduction", "card_red", None, None, 1)])
    score(q2, b, 60, "pass", 2, [("indicator", "on_time_rate", 3, 5, None),
                                 ("deduction", "card_yellow", None, None, 2)])
    q3 = evaluation(scheme, "2026Q3")
    sa3 = score(q3, a, 90, "excellent", 1, [("indicator", "on_time_rate", 9, 10, None),
                                            ("deduction", "card_red", None, None, 2)])
    sb3 = score(q3, b, 0, "fail", 2, [("indicator", "on_time_rate", None, None, None),
                                      ("deduction", "card_red", None, None, 1)])
    draft = evaluation(scheme, "2026Q4", EvaluationStatus.DRAFT)
    score(draft, a, 0, "fail", 1, [("indicator", "on_time_rate", 0, 10, None),
                                   ("deduction", "card_yellow", None, None, 7)])
    return {"q2": q2, "q3": q3, "draft": draft, "sa2": sa2, "sa3": sa3, "sb3": sb3, "a": a, "b": b}


def chart(resp) -> dict:
    html = resp.content.decode()
    start = html.index('id="dashboard-chart-data"')
    body = html[html.index(">", start) + 1: html.index("</script>", start)]
    return json.loads(body)


@pytest.mark.django_db
def test_charts_equal_the_sums_of_the_score_lines_worked_by_hand(world, client_as):
    resp = client_as("leader").get(URL)
    assert resp.status_code == 200
    html = resp.content.decode()
    data = chart(resp)
    # The latest published quarter is shown (Q4 is a draft): 2026Q3.
    assert resp.context["ev"].pk == world["q3"].pk
    assert "2026年第三季度" in html
    # Grades of Q3 in the one group: 优秀 1 (A), 良好 0, 合格 0, 不合格 1 (B).
    assert data["grades"] == {"groups": ["县直部门"], "labels": ["优秀", "良好", "合格", "不合格"],
                              "series": [[1], [0], [0], [1]]}
    # Trend of A (ranked first, the default): Q2 80, Q3 90; means (80+60)/2 = 70 and (90+0)/2 = 45.
    assert data["trend"]["periods"] == ["2026年第二季度", "2026年第三季度"]
    assert data["trend"]["score"] == [80.0, 90.0]
    assert data["trend"]["mean"] == [70.0, 45.0]
    # On-time rate county-wide: Q2 (8+3)/(10+5) = 11/15 = 73.3%; Q3 9/10 = 90.0% (B not scored adds nothing).
    rates = {s["name"]: s["values"] for s in data["metrics"]["charts"]["rates"]}
    assert rates == {"按时办结率": [73.3, 90.0]}
    # Cards: yellow Q2 2, Q3 0 (in the scheme, none issued); red Q2 1 (not the superseded 9), Q3 2+1 = 3.
    # Reminders are not in the scheme: no series at all.
    counts = {s["name"]: s["values"] for s in data["metrics"]["charts"]["counts"]}
    assert counts == {"黄牌": [2, 0], "红牌": [1, 3]}
    assert data["metrics"]["charts"]["ratio"] == []
    # The table under the metrics says the same, with numerator and denominator.
    assert "73.3%" in html and "11 / 15" in html and "90%" in html and "9 / 10" in html


@pytest.mark.django_db
def test_period_and_department_pickers(world, client_as):
    c = client_as("supervisor")
    resp = c.get(URL, {"kind": "quarter", "period": "2026Q2", "department": "TB"})
    assert resp.context["ev"].pk == world["q2"].pk
    data = chart(resp)
    # Only periods up to the chosen one; B's trend: Q2 60.
    assert data["trend"]["periods"] == ["2026年第二季度"]
    assert data["trend"]["score"] == [60.0]
    assert data["grades"]["series"] == [[0], [1], [1], [0]]
    # The draft is never offered in the picker, the superseded revision neither.
    html = resp.content.decode()
    assert 'value="2026Q4"' not in html
    assert html.count('value="2026Q2"') == 1


@pytest.mark.django_db
@pytest.mark.parametrize("params", [{"period": "2026Q4"}, {"period": "abc"}, {"period": "9999Q4"},
                                    {"period": "0001Q1"}, {"kind": "weekly"}, {"department": "TB' OR 1=1"},
                                    {"metric": "=cmd|' /C calc'!A0"}, {"period": "2026Q3" * 40}])
def test_bad_input_is_named_in_chinese_and_falls_back(world, client_as, params):
    resp = client_as("leader").get(URL, params)
    assert resp.status_code == 200
    assert resp.context["ev"].pk == world["q3"].pk
    errors = resp.context["errors"]
    assert errors and all(any("\u4e00" <= ch <= "\u9fff" for ch in e) for e in errors)


@pytest.mark.django_db
def test_drill_from_a_figure_to_the_departments_sorted(world, client_as):
    c = client_as("leader")
    resp = c.get(URL, {"period": "2026Q3", "metric": "on_time_rate"})
    rows = resp.context["drill_rows"]
    # A (9/10) first, B (not scored) last; each row links to its score and (when scored) the line's evidence.
    assert [r["department"].code for r in rows] == ["TA", "TB"]
    assert rows[0]["evidence"] and not rows[1]["evidence"]
    html = resp.content.decode()
    assert reverse("evaluation:score_detail", args=[world["sa3"].pk]) in html
    line = world["sa3"].lines.get(code="on_time_rate")
    assert reverse("evaluation:line_evidence", args=[line.pk]) in html
    # Counts: the most cards first.
    rows = c.get(URL, {"period": "2026Q3", "metric": "card_red"}).context["drill_rows"]
    assert [(r["department"].code, r["line"].units) for r in rows] == [("TA", 2), ("TB", 1)]
    # A figure in the metrics table links to that period's drill-down.
    resp = c.get(URL, {"period": "2026Q3"})
    assert "metric=on_time_rate" in resp.content.decode()


@pytest.mark.django_db
def test_who_may_open_it(world, client, staff):
    assert client.get(URL).status_code == 302  # no session → the log-in page
    for role, code in {"leader": 200, "supervisor": 200, "head": 403, "handler": 403, "handler_a1": 403,
                       "window": 403, "handler_b": 403, "admin": 403}.items():
        client.force_login(staff[role])
        assert client.get(URL).status_code == code, role
        assert client.post(URL).status_code in (403, 405), role


@pytest.mark.django_db
def test_empty_state_when_nothing_is_published(depts, client_as):
    scheme = scheme_create_version(spec(), now=NOW)
    evaluation(scheme, "2026Q3", EvaluationStatus.DRAFT)  # a draft exists: still nothing for anyone here
    for role in ("leader", "supervisor"):
        resp = client_as(role).get(URL)
        assert resp.status_code == 200
        html = resp.content.decode()
        assert "尚无已发布的考核结果" in html
        assert "dashboard-chart-data" not in html


@pytest.mark.django_db
def test_query_count_does_not_grow_with_departments_or_periods(world, client_as, django_assert_max_num_queries):
    c = client_as("leader")
    params = {"period": "2026Q3", "metric": "on_time_rate"}
    # 18 (was 16 before the province-scale page): the groups' grade counts are one GROUP BY apart from the
    # shown places (only each group's top and bottom are read), and the drill-down is paged (its count).
    with django_assert_max_num_queries(18) as small:
        c.get(URL, params)
    n_small = len(small.captured_queries)
    # Four more published quarters and ten more departments with scores and lines in every period.
    scheme = world["q3"].scheme
    evs = [evaluation(scheme, code) for code in ("2025Q2", "2025Q3", "2025Q4", "2026Q1")]
    county = world["a"].parent
    for i in range(10):
        d = department_create(code=f"TZ{i}", name=f"测试县第{i}局", parent=county)
        for ev in [*evs, world["q2"], world["q3"]]:
            score(ev, d, 70, "pass", 3 + i, [("indicator", "on_time_rate", 5, 10, None),
                                             ("deduction", "card_red", None, None, 1)])
    with django_assert_max_num_queries(n_small) as big:
        resp = c.get(URL, params)
    assert len(resp.context["choice"].trend) == 6
    assert len(big.captured_queries) == n_small


@pytest.mark.django_db
def test_a_real_quarter_run_and_published(depts, ended_case, client_as):
    """End to end through the engine: the chart reads what evaluation_run stored."""
    scheme_create_version(spec(), now=NOW)
    ended_case("Q1", received="2026-09-28 09:00", ended="2026-09-28 10:00")
    ended_case("Q2", received="2026-09-28 09:00", ended="2026-09-29 10:00")
    ev = evaluation_publish(evaluation_run("2026Q3", now=NOW), now=NOW)
    line = ScoreLine.objects.get(score__evaluation=ev, score__department=depts["a"], code="on_time_rate")
    resp = client_as("leader").get(URL)
    data = chart(resp)
    rate = {s["name"]: s["values"] for s in data["metrics"]["charts"]["rates"]}["按时办结率"]
    assert rate == [round(float(line.numerator / line.denominator) * 100, 1)]


@pytest.mark.django_db
def test_leader_landing_panel(world, staff, django_assert_num_queries):
    from xiaoneng.evaluation.selectors_dashboard import can_view, landing_leader

    assert can_view(staff["leader"])  # the roles, read once per request by the landing page already
    # the evaluation, its grades counted (a GROUP BY), its last five: the same whatever the number of scores
    with django_assert_num_queries(3):
        panel = landing_leader(staff["leader"], now=NOW)
    assert panel["title"] == "2026年第三季度效能考核"
    assert [t["value"] for t in panel["tiles"]] == [1, 0, 0, 1]  # 优秀 A, 不合格 B
    assert panel["rows"][0]["url"] == reverse("evaluation:score_detail", args=[world["sb3"].pk])
    assert panel["rows"][0]["tone"] == "danger"
    assert landing_leader(staff["head"], now=NOW) is None


@pytest.mark.django_db
def test_leader_landing_panel_when_nothing_is_published(depts, staff, django_assert_num_queries):
    from xiaoneng.evaluation.selectors_dashboard import can_view, landing_leader

    assert can_view(staff["leader"])
    with django_assert_num_queries(1):
        assert landing_leader(staff["leader"], now=NOW) is None


@pytest.mark.django_db
def test_ratio_and_complaint_counts_worked_by_hand(world, client_as):
    """The working-day ratio (Σ of the cases' ratios ÷ Σ cases) and substantiated complaints (Σ units), with the
    scheme rows written directly (their calculations belong to another part and need not be registered here)."""
    from xiaoneng.evaluation.models import SchemeAdjustment, SchemeIndicator

    scheme = world["q3"].scheme
    SchemeIndicator.objects.create(scheme=scheme, code="avg_working_days_ratio", weight=D(10), floor=D(1),
                                   target=D("0.5"), position=5)
    SchemeAdjustment.objects.create(scheme=scheme, kind="deduction", code="complaint_substantiated", points=D(2))
    sa3, sb3 = world["sa3"], world["sb3"]
    # Q3: A 10 cases whose ratios sum to 6.5, B 4 cases summing to 3.5 → (6.5 + 3.5) ÷ 14 = 0.714… → 0.71倍.
    # Substantiated complaints: A 2, B 3 → 5. Q2 has no such lines: ratio —, complaints 0 (in the scheme).
    for s, num, den, units in ((sa3, "6.5", 10, 2), (sb3, "3.5", 4, 3)):
        ScoreLine.objects.create(score=s, kind="indicator", code="avg_working_days_ratio", name="r",
                                 numerator=D(num), denominator=D(den), value=D(num) / D(den), weight=D(10))
        ScoreLine.objects.create(score=s, kind="deduction", code="complaint_substantiated", name="c", units=D(units),
                                 weight=D(2))
    data = chart(client_as("leader").get(URL))
    assert data["metrics"]["charts"]["ratio"] == [
        {"name": "平均用时与时限之比", "unit": "倍", "values": [None, 0.71],
         "links": [None, "/staff/evaluation/dashboard/?kind=quarter&period=2026Q3&metric=avg_working_days_ratio#drill"]}]
    counts = {s["name"]: s["values"] for s in data["metrics"]["charts"]["counts"]}
    assert counts["查实投诉"] == [0, 5]
    # Lower is better: the drill-down lists the quickest first (A 0.65 before B 0.875).
    rows = client_as("leader").get(URL, {"period": "2026Q3", "metric": "avg_working_days_ratio"}).context["drill_rows"]
    assert [r["department"].code for r in rows] == ["TA", "TB"]
