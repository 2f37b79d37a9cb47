"""The dashboard and the office's ranking page at a province's scale (issue 13 §4, NOTE12 "Left"): the dashboard
draws only each group's top and bottom places (`?places=`, within bounds) with a link to the full ranking; the
office's ranking page shows each table's first rows and pages the full ones (`?group=`, `?overall=1`); the
drill-down of a metric is paged. Every figure below is worked out by hand from the fixture; query counts do not
grow with the number of departments."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xiaoneng.accounts.models import Department
from xiaoneng.evaluation.models import EvaluationStatus, Score, ScoreLine
from xiaoneng.evaluation.services.schemes import scheme_create_version

from .test_dashboard import NOW, URL, chart, evaluation, spec

GRADE_AT = {range(1, 6): "excellent", range(6, 11): "good", range(11, 21): "pass"}  # else fail


def grade_of(rank: int) -> str:
    return next((g for r, g in GRADE_AT.items() if rank in r), "fail")


def build(depts, bureaus: int, towns: int):
    """A published 2026Q3 with `bureaus` departments in group 县直部门 (bureaus) and `towns` in 乡镇 (towns).
    Bureau n (1-based) ranks n in its group with score 100 − n, grade by rank (1-5 优秀, 6-10 良好, 11-20 合格,
    the rest 不合格); town n ranks n with score 90 − n. Overall ranks: by score, bureaus before towns on a tie
    (bureau n and town n−10 both score 100 − n). Each has an on-time line n/100 (bureaus) and (n+1)/100
    (towns), all scored, and n red cards."""
    scheme = scheme_create_version(spec(), now=NOW)
    ev = evaluation(scheme, "2026Q3")
    county = depts["county"]
    made = Department.objects.bulk_create(
        [Department(code=f"B{n:03d}", name=f"测试县第{n}局", parent=county, kind=Department.Kind.BUREAU)
         for n in range(1, bureaus + 1)]
        + [Department(code=f"T{n:03d}", name=f"测试县第{n}镇", parent=county, kind=Department.Kind.TOWNSHIP)
           for n in range(1, towns + 1)])
    for d in made:  # the path as the accounts service writes it (the tree's scoping reads it)
        d.path = f"{county.path}{d.pk}/"
    Department.objects.bulk_update(made, ["path"])
    rows = []
    for d in made:
        n = int(d.code[1:])
        bureau = d.code.startswith("B")
        rows.append((d, n, bureau, D(100 - n) if bureau else D(90 - n)))
    order = sorted(rows, key=lambda r: (-r[3], not r[2], r[1]))
    overall = {r[0].pk: i + 1 for i, r in enumerate(order)}
    scores = Score.objects.bulk_create([
        Score(evaluation=ev, department=d, group_code="bureaus" if bureau else "towns",
              group_name="县直部门" if bureau else "乡镇", base_points=total, score=total, grade=grade_of(n),
              rank=n, rank_overall=overall[d.pk], group_size=bureaus if bureau else towns)
        for d, n, bureau, total in rows])
    lines = []
    for s, (_d, n, bureau, _t) in zip(scores, rows, strict=True):
        num = D(n if bureau else n + 1)
        lines.append(ScoreLine(score=s, kind="indicator", code="on_time_rate", name="按时办结率", numerator=num,
                               denominator=D(100), value=num / 100, weight=D(100), scored=True))
        lines.append(ScoreLine(score=s, kind="deduction", code="card_red", name="红牌", units=D(n), weight=D(10)))
    ScoreLine.objects.bulk_create(lines)
    return ev


# ------------------------------------------------------------------------------------------------ dashboard
@pytest.mark.django_db
def test_the_dashboard_shows_each_group_s_top_and_bottom_places(depts, client_as):
    ev = build(depts, bureaus=25, towns=4)
    resp = client_as("leader").get(URL, {"places": "3"})
    assert resp.status_code == 200 and resp.context["places"] == 3
    groups = {g["code"]: g for g in resp.context["groups"]}
    bureaus = groups["bureaus"]
    assert [s.rank for s in bureaus["top"]] == [1, 2, 3]
    assert [s.rank for s in bureaus["bottom"]] == [23, 24, 25]
    assert bureaus["size"] == 25 and bureaus["hidden"] == 19
    # Four towns, three places each side: all four shown once, nothing hidden, no link to a full ranking.
    towns = groups["towns"]
    assert [s.rank for s in towns["scores"]] == [1, 2, 3, 4] and towns["hidden"] == 0
    html = resp.content.decode()
    assert "中间 19 个单位未列出" in html
    full = reverse("evaluation:evaluation_detail", args=[ev.pk]) + "?group=bureaus"
    assert f'href="{full}"' in html and "查看县直部门完整排名（共 25 个单位）" in html
    assert 'data-testid="ranking-full-towns"' not in html
    assert "测试县第4局" not in html.split('data-testid="ranking-bureaus"')[1].split("</table>")[0]
    # The grades count every department, shown or not: bureaus 5 优秀, 5 良好, 10 合格, 5 不合格; towns 4 优秀.
    assert chart(resp)["grades"] == {"groups": ["县直部门", "乡镇"], "labels": ["优秀", "良好", "合格", "不合格"],
                                     "series": [[5, 4], [5, 0], [10, 0], [5, 0]]}
    # The default is ten places each side: 1-10 and 16-25 of the bureaus, five in between.
    g = {g["code"]: g for g in client_as("leader").get(URL).context["groups"]}["bureaus"]
    assert [s.rank for s in g["scores"]] == [*range(1, 11), *range(16, 26)] and g["hidden"] == 5


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["0", "51", "-1", "abc", "3.5", "1e3", "9" * 40])
def test_places_out_of_bounds_are_named_and_the_default_shown(depts, client_as, raw):
    build(depts, bureaus=25, towns=0)
    resp = client_as("supervisor").get(URL, {"places": raw})
    assert resp.status_code == 200
    assert resp.context["places"] == 10
    assert any("每组显示的名次数应为 1 至 50 之间的整数" in e for e in resp.context["errors"])
    assert 'data-testid="form-error"' in resp.content.decode()


@pytest.mark.django_db
def test_places_at_the_bounds(depts, client_as):
    build(depts, bureaus=25, towns=0)
    c = client_as("leader")
    one = c.get(URL, {"places": "1"}).context["groups"][0]
    assert [s.rank for s in one["scores"]] == [1, 25] and one["hidden"] == 23
    fifty = c.get(URL, {"places": "50"})
    assert not fifty.context["errors"] and [s.rank for s in fifty.context["groups"][0]["scores"]] == list(range(1, 26))


@pytest.mark.django_db
def test_a_department_not_drawn_can_still_be_followed(depts, client_as):
    build(depts, bureaus=25, towns=0)
    resp = client_as("leader").get(URL, {"places": "2", "department": "B013"})
    assert not resp.context["errors"]
    assert resp.context["chosen"].department.code == "B013"
    # Its trend: 2026Q3 score 100 − 13 = 87; the mean of the 25 bureaus' scores 99 … 75 is 87 as well.
    data = chart(resp)
    assert data["trend"]["score"] == [87.0] and data["trend"]["mean"] == [87.0]
    # It joins the picker (selected) beside the four drawn ones.
    assert [s.department.code for s in resp.context["scores"]] == ["B001", "B002", "B024", "B025", "B013"]
    assert 'value="B013" selected' in resp.content.decode()
    bad = client_as("leader").get(URL, {"department": "NOPE"})
    assert bad.context["chosen"].department.code == "B001" and bad.context["errors"]


@pytest.mark.django_db
def test_the_drill_down_is_paged_in_the_metric_s_order(depts, client_as):
    build(depts, bureaus=55, towns=0)
    c = client_as("leader")
    first = c.get(URL, {"period": "2026Q3", "metric": "on_time_rate"})
    rows = first.context["drill_rows"]
    # The highest on-time rate first: bureau n has n/100, so B055 … B006 on page 1, B005 … B001 on page 2.
    assert len(rows) == 50 and rows[0]["department"].code == "B055" and rows[-1]["department"].code == "B006"
    html = first.content.decode()
    assert "page=2#drill" in html and "metric=on_time_rate" in html
    second = c.get(URL, {"period": "2026Q3", "metric": "on_time_rate", "page": "2"}).context["drill_rows"]
    assert [r["department"].code for r in second] == ["B005", "B004", "B003", "B002", "B001"]
    # Counts: the most red cards first (bureau n has n).
    cards = c.get(URL, {"period": "2026Q3", "metric": "card_red"}).context["drill_rows"]
    assert [r["line"].units for r in cards[:3]] == [55, 54, 53]
    # A page past the end shows the last page; a bad one the first.
    assert len(c.get(URL, {"metric": "on_time_rate", "page": "99"}).context["drill_rows"]) == 5
    assert len(c.get(URL, {"metric": "on_time_rate", "page": "x' or 1=1"}).context["drill_rows"]) == 50


@pytest.mark.django_db
def test_dashboard_queries_do_not_grow_with_departments(depts, client_as):
    params = {"period": "2026Q3", "metric": "on_time_rate", "places": "3"}
    ev = build(depts, bureaus=12, towns=3)
    c = client_as("leader")
    c.get(URL, params)
    with CaptureQueriesContext(connection) as small:
        assert c.get(URL, params).status_code == 200
    ev.delete()
    Score.objects.all().delete()
    Department.objects.filter(code__regex=r"^[BT]\d{3}$").delete()
    build(depts, bureaus=120, towns=40)
    with CaptureQueriesContext(connection) as big:
        resp = c.get(URL, params)
    assert len(resp.context["groups"][0]["scores"]) == 6
    assert len(big.captured_queries) == len(small.captured_queries)


# --------------------------------------------------------------------------------------- the office's page
def detail(ev):
    return reverse("evaluation:evaluation_detail", args=[ev.pk])


@pytest.mark.django_db
def test_the_ranking_page_cuts_long_tables_and_pages_the_full_ones(depts, client_as):
    ev = build(depts, bureaus=57, towns=3)
    c = client_as("leader")
    resp = c.get(detail(ev))
    assert resp.status_code == 200
    r = resp.context["r"]
    bureaus = next(g for g in r["groups"] if g["code"] == "bureaus")
    assert len(bureaus["scores"]) == 50 and bureaus["count"] == 57
    assert [s.rank for s in bureaus["scores"]][-1] == 50
    assert len(r["overall"]) == 50 and r["overall_count"] == 60
    html = resp.content.decode()
    assert "查看县直部门完整排名（共 57 个单位）" in html and "查看完整总排名（共 60 个单位）" in html
    assert 'data-testid="group-full"' in html and html.count('data-testid="group-full"') == 1  # towns: 3 rows

    page2 = c.get(detail(ev), {"group": "bureaus", "page": "2"})
    assert page2.status_code == 200
    assert [s.rank for s in page2.context["full"]["page"].object_list] == [51, 52, 53, 54, 55, 56, 57]
    assert "2 / 2" in page2.content.decode()
    # Overall: bureau n scores 100 − n, town n 90 − n, a bureau first on a tie. So B001 … B010 take 1-10,
    # then B011 (89) 11, T001 (89) 12, B012 13, T002 14, B013 15, T003 16, B014 17; page 2 holds ranks 51-60:
    # the bureaus 50 … 57 (no town scores below 87) are overall 53 … 60.
    over = c.get(detail(ev), {"overall": "1", "page": "2"}).context["full"]["page"]
    assert [s.rank_overall for s in over.object_list] == list(range(51, 61))
    assert [s.department.code for s in over.object_list][-8:] == [f"B0{n}" for n in range(50, 58)]
    ranks = {s.department.code: s.rank_overall for s in Score.objects.filter(evaluation=ev).select_related("department")}
    assert [ranks[k] for k in ("B011", "T001", "B012", "T002", "B013", "T003", "B014")] == list(range(11, 18))


@pytest.mark.django_db
@pytest.mark.parametrize("group", ["nope", "bureaus' OR 1=1", "x" * 60])
def test_an_unknown_group_is_named_and_the_groups_shown(depts, client_as, group):
    ev = build(depts, bureaus=3, towns=2)
    resp = client_as("supervisor").get(detail(ev), {"group": group})
    assert resp.status_code == 400
    assert "考核分组不存在" in resp.content.decode() and resp.context["full"] is None


@pytest.mark.django_db
def test_the_full_ranking_keeps_the_small_sample_filter(depts, client_as):
    ev = build(depts, bureaus=6, towns=0)
    Score.objects.filter(evaluation=ev, department__code__in=["B002", "B005"]).update(small_sample=True)
    c = client_as("supervisor")
    only = c.get(detail(ev), {"group": "bureaus", "sample": "only"}).context["full"]["page"]
    assert [s.department.code for s in only.object_list] == ["B002", "B005"]
    apart = c.get(detail(ev), {"sample": "apart"}).context["r"]
    assert [s.department.code for s in apart["apart"]] == ["B002", "B005"] and apart["apart_count"] == 2
    assert [s.department.code for s in apart["overall"]] == ["B001", "B003", "B004", "B006"]


@pytest.mark.django_db
@pytest.mark.parametrize("role,code", [("supervisor", 200), ("leader", 200), ("head", 403), ("handler", 403),
                                       ("window", 403), ("admin", 403)])
def test_who_reads_the_full_ranking(depts, staff, client_as, role, code):
    ev = build(depts, bureaus=3, towns=0)
    assert client_as(role).get(detail(ev), {"group": "bureaus"}).status_code == code
    assert client_as(role).post(detail(ev), {"group": "bureaus"}).status_code in (403, 405)


@pytest.mark.django_db
def test_ranking_page_queries_do_not_grow_with_departments(depts, client_as):
    ev = build(depts, bureaus=12, towns=3)
    c = client_as("supervisor")
    counts = {}
    for label, params in (("summary", {}), ("group", {"group": "bureaus", "page": "2"}), ("overall", {"overall": "1"})):
        c.get(detail(ev), params)
        with CaptureQueriesContext(connection) as q:
            assert c.get(detail(ev), params).status_code == 200
        counts[label] = len(q.captured_queries)
    ev.delete()
    Department.objects.filter(code__regex=r"^[BT]\d{3}$").delete()
    ev = build(depts, bureaus=130, towns=40)
    for label, params in (("summary", {}), ("group", {"group": "bureaus", "page": "2"}), ("overall", {"overall": "1"})):
        with CaptureQueriesContext(connection) as q:
            assert c.get(detail(ev), params).status_code == 200
        assert len(q.captured_queries) == counts[label], label


@pytest.mark.django_db
def test_a_draft_s_full_ranking_is_the_office_s(depts, client_as):
    ev = build(depts, bureaus=3, towns=0)
    ev.status = EvaluationStatus.DRAFT
    ev.save(update_fields=["status"])
    assert client_as("supervisor").get(detail(ev), {"overall": "1"}).status_code == 200
    assert client_as("leader").get(detail(ev), {"overall": "1"}).status_code == 404


@pytest.mark.django_db
def test_a_score_page_leads_to_the_department_s_trend(depts, client_as):
    ev = build(depts, bureaus=25, towns=0)
    s = Score.objects.get(evaluation=ev, department__code="B013")
    url = reverse("evaluation:score_detail", args=[s.pk])
    trend = f"{URL}?kind=quarter&amp;period=2026Q3&amp;department=B013#h-trend"
    for role in ("leader", "supervisor"):
        assert trend in client_as(role).get(url).content.decode(), role
    # A head (its own department's page) cannot open the dashboard: no link.
    s_own = Score.objects.create(evaluation=ev, department=depts["a"], group_code="bureaus", group_name="县直部门",
                                 base_points=D(50), score=D(50), grade="fail", rank=26, rank_overall=26, group_size=26)
    html = client_as("head").get(reverse("evaluation:score_detail", args=[s_own.pk])).content.decode()
    assert 'data-testid="trend-link"' not in html
    # A draft has no published trend to show.
    ev.status = EvaluationStatus.DRAFT
    ev.save(update_fields=["status"])
    assert 'data-testid="trend-link"' not in client_as("supervisor").get(url).content.decode()
