# ruff: noqa: F811  (the `quarter` fixture, imported from test_api, is a parameter of the tests)
"""The office's evaluation pages: the list and the 计算 form, an evaluation's ranking (groups, overall, the
small-sample filter, revisions, publish, export), the schemes and the new-version editor, the groups, a head's
本单位考核, the nav and the landing panel — every role reading and writing, bad input shown in Chinese beside its
field with nothing stored, query counts that do not grow with departments."""

from __future__ import annotations

import csv
import io
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xiaoneng.accounts.services import department_create
from xiaoneng.evaluation.models import DepartmentGroup, Evaluation, EvaluationStatus, GroupMember, Scheme
from xiaoneng.evaluation.services.evaluate import evaluation_run

from .test_api import NOW, quarter  # noqa: F401  (fixture)

LIST = reverse("evaluation:office_list")


def detail(ev):
    return reverse("evaluation:evaluation_detail", args=[ev.pk])


# ----------------------------------------------------------------------------------------- the list and 计算
@pytest.mark.parametrize("role,code", [("supervisor", 200), ("leader", 200), ("head", 403), ("handler", 403),
                                       ("window", 403), ("admin", 403)])
def test_who_reads_the_list(client_as, quarter, role, code):
    quarter()
    r = client_as(role).get(LIST)
    assert r.status_code == code
    if code == 200:
        html = r.content.decode()
        assert "2026年第三季度" in html and "已发布" in html
        assert ('data-testid="run-form"' in html) == (role == "supervisor")


def test_the_office_computes_a_quarter_from_the_form(client_as, quarter, staff):
    quarter(publish=False)
    Evaluation.objects.all().delete()
    r = client_as("supervisor").post(LIST, {"period": "2026Q3"})
    ev = Evaluation.objects.get(period="2026Q3")
    assert r.status_code == 302 and r["Location"] == detail(ev)
    assert ev.status == EvaluationStatus.DRAFT and ev.computed_by == staff["supervisor"]


def test_a_leader_cannot_compute(client_as, quarter):
    quarter(publish=False)
    n = Evaluation.objects.count()
    assert client_as("leader").post(LIST, {"period": "2026Q2"}).status_code == 403
    assert Evaluation.objects.count() == n


@pytest.mark.parametrize("period,words", [("2026Q5", "无效"), ("0000", "无效"), ("", "无效"), ("9999", "没有适用"),
                                          ("2026Q3", "更正理由")])
def test_bad_computations_are_refused_beside_the_field(client_as, quarter, period, words):
    quarter()
    Scheme.objects.filter(valid_from__lt="2026-01-01").delete()  # only the test's scheme (valid from 2026)
    if period == "9999":
        Scheme.objects.update(valid_from="9999-12-31")
    n = Evaluation.objects.count()
    r = client_as("supervisor").post(LIST, {"period": period})
    assert r.status_code == 400
    html = r.content.decode()
    assert 'data-testid="form-error"' in html and words in html
    assert Evaluation.objects.count() == n


def test_a_correction_needs_its_reason_and_keeps_the_old_revision(client_as, quarter):
    ev = quarter()
    c = client_as("supervisor")
    r = c.post(LIST, {"period": "2026Q3", "reason": "补录两件办件后更正 <script>x</script>"})
    fix = Evaluation.objects.get(period="2026Q3", revision=2)
    assert r.status_code == 302 and fix.status == EvaluationStatus.DRAFT
    html = c.get(detail(fix)).content.decode()
    assert "补录两件办件后更正 &lt;script&gt;" in html and detail(ev) in html  # the old revision linked
    r = c.post(reverse("evaluation:evaluation_publish", args=[fix.pk]), {"confirm": "1"})
    ev.refresh_from_db()
    fix.refresh_from_db()
    assert fix.status == EvaluationStatus.PUBLISHED and ev.status == EvaluationStatus.SUPERSEDED
    old = c.get(detail(ev)).content.decode()
    assert "已更正" in old and "更正前的结果" in old
    assert client_as("leader").get(detail(ev)).status_code == 200  # superseded ones stay visible


# ----------------------------------------------------------------------------------------- the ranking page
def test_the_ranking_by_group_and_overall_links_every_row_to_its_score(client_as, quarter):
    ev = quarter()
    html = client_as("leader").get(detail(ev)).content.decode()
    for s in ev.scores.all():
        assert reverse("evaluation:score_detail", args=[s.pk]) in html
    assert "分组排名" in html and "总排名" in html and "县直部门" in html
    assert reverse("evaluation:scheme_detail", args=[ev.scheme_id]) in html
    assert 'data-testid="publish-form"' not in html  # a leader reads only; and it is published


def test_small_sample_marks_and_the_filter(client_as, quarter):
    ev = quarter()
    Scheme.objects.update(min_sample=20)
    ev = evaluation_run("2026Q3", now=NOW, reason="最少样本数改为20后重算")  # both bureaus now small samples
    c = client_as("supervisor")
    html = c.get(detail(ev)).content.decode()
    assert html.count('data-testid="small-sample"') >= 4  # group and overall tables, both bureaus
    apart = c.get(detail(ev), {"sample": "apart"}).content.decode()
    assert 'data-testid="apart-ranking"' in apart and "样本较少的单位" in apart
    only = c.get(detail(ev), {"sample": "only"})
    assert only.status_code == 200
    bad = c.get(detail(ev), {"sample": "x' or 1=1"})
    assert bad.status_code == 400 and "样本筛选无效" in bad.content.decode()


def test_drafts_are_the_office_s(client_as, quarter):
    ev = quarter(publish=False)
    assert client_as("supervisor").get(detail(ev)).status_code == 200
    assert client_as("leader").get(detail(ev)).status_code == 404
    assert client_as("head").get(detail(ev)).status_code == 403


def test_publish_needs_the_confirmation_and_an_ended_period(client_as, quarter):
    ev = quarter(publish=False)
    c = client_as("supervisor")
    url = reverse("evaluation:evaluation_publish", args=[ev.pk])
    assert 'data-testid="publish-form"' in c.get(detail(ev)).content.decode()
    c.post(url, {})
    ev.refresh_from_db()
    assert ev.status == EvaluationStatus.DRAFT
    assert client_as("leader").post(url, {"confirm": "1"}).status_code == 403
    c = client_as("supervisor")
    c.post(url, {"confirm": "1"})
    ev.refresh_from_db()
    assert ev.status == EvaluationStatus.PUBLISHED
    # a quarter not yet over: a preview, no publish button, publishing refused
    running = evaluation_run("2099Q1", now=NOW)
    html = c.get(detail(running)).content.decode()
    assert 'data-testid="publish-form"' not in html and "尚未结束" in html
    c.post(reverse("evaluation:evaluation_publish", args=[running.pk]), {"confirm": "1"})
    running.refresh_from_db()
    assert running.status == EvaluationStatus.DRAFT


def test_the_ranking_page_queries_do_not_grow_with_departments(client_as, quarter, depts):
    ev = quarter()
    c = client_as("supervisor")
    with CaptureQueriesContext(connection) as small:
        assert c.get(detail(ev)).status_code == 200
    for n in range(15):
        department_create(code=f"TN{n}", name=f"测试县新设局{n}", parent=depts["county"])
    fix = evaluation_run("2026Q3", now=NOW, reason="新设单位后重算")
    assert fix.scores.count() == 17
    with CaptureQueriesContext(connection) as big:
        assert c.get(detail(fix)).status_code == 200
    assert len(big.captured_queries) <= len(small.captured_queries) + 1  # +1: the revisions list is not empty
    assert len(big.captured_queries) <= 20


def test_export_neutralises_formulas(client_as, quarter, depts):
    depts["a"].name = "=cmd|' /C calc'!A0"
    depts["a"].save()
    ev = quarter()
    c = client_as("leader")
    r = c.get(reverse("evaluation:evaluation_export", args=[ev.pk]), {"fmt": "csv"})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    names = [row[4] for row in rows if len(row) > 4]
    assert "'=cmd|' /C calc'!A0" in names
    r = c.get(reverse("evaluation:evaluation_export", args=[ev.pk]), {"fmt": "xlsx"})
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(r.content))
    ws = wb["考核排名"]
    cells = [ws.cell(row=i, column=5) for i in range(2, ws.max_row + 1)]
    evil = [cell for cell in cells if cell.value == "=cmd|' /C calc'!A0"]
    assert evil and evil[0].data_type == "s"
    assert isinstance(ws.cell(row=2, column=6).value, (int, float))
    assert c.get(reverse("evaluation:evaluation_export", args=[ev.pk]), {"fmt": "pdf"}).status_code == 400


# ----------------------------------------------------------------------------------------- schemes
def _form(scheme: Scheme, **over) -> dict:
    """The new-version form as the page would post it, from `scheme`."""
    data = {"op": "save", "period_kind": scheme.period_kind, "name": scheme.name, "valid_from": "2026-10-01",
            "total": "100", "excellent_at": "90", "good_at": "80", "pass_at": "60", "min_sample": "20",
            "bulletin_top": "8", "bulletin_bottom": "8", "escalation_bottom": "5", "note": "",
            "ind-code": ["on_time_rate"], "ind-weight": ["100"], "ind-floor": ["0.5"], "ind-target": ["1"],
            "ded-code": ["card_red"], "ded-points": ["10"], "ded-cap": [""],
            "vet-code": ["red_cards"], "vet-threshold": ["3"], "vet-sanction_kind": ["criticism"]}
    data.update(over)
    return data


def test_schemes_list_and_a_version(client_as, quarter):
    ev = quarter()
    c = client_as("leader")
    html = c.get(reverse("evaluation:schemes")).content.decode()
    assert "季度考核" in html and "测试方案" in html and "data-testid=\"new-quarter\"" not in html
    html = c.get(reverse("evaluation:scheme_detail", args=[ev.scheme_id])).content.decode()
    assert "按时办结率" in html and "红牌" in html and "最少样本数" in html and "50%" in html
    assert c.get(reverse("evaluation:scheme_detail", args=[999999])).status_code == 404
    assert client_as("head").get(reverse("evaluation:schemes")).status_code == 403
    assert client_as("leader").get(reverse("evaluation:scheme_new")).status_code == 403


def test_a_new_version_from_the_current_one(client_as, quarter):
    ev = quarter()
    c = client_as("supervisor")
    page = c.get(reverse("evaluation:scheme_new"), {"from": ev.scheme_id}).content.decode()
    assert 'value="on_time_rate" selected' in page and 'name="ind-weight"' in page
    before = Scheme.objects.count()
    r = c.post(reverse("evaluation:scheme_new"), _form(ev.scheme, name="新方案 =HYPERLINK(\"x\")"))
    assert r.status_code == 302, r.content.decode()[:2000]
    new = Scheme.objects.order_by("-pk").first()
    assert Scheme.objects.count() == before + 1 and new.version == ev.scheme.version + 1
    assert new.vetoes.get().threshold == 3 and new.indicators.get().weight == D(100)
    html = c.get(r["Location"]).content.decode()
    assert "新方案 =HYPERLINK(&quot;x&quot;)" in html


@pytest.mark.parametrize("over,field_words", [
    ({"ind-weight": ["90"]}, "各指标分值合计为 90 分"),
    ({"ind-floor": ["1"], "ind-target": ["0.5"]}, "起评值（1）须小于目标值"),
    ({"ind-weight": ["99999999"]}, "不能超过 9999.99"),
    ({"ind-floor": ["99999999"]}, "不能超过 999999.9999"),
    ({"ind-target": ["Infinity"]}, "超出允许范围"),
    ({"ded-cap": ["NaN"]}, "超出允许范围"),
    ({"total": "50000", "ind-weight": ["50000"]}, "不能超过"),
    ({"ind-weight": ["100.001"]}, "最多保留 2 位小数"),
    ({"ind-code": ["nope"]}, "不是系统提供的指标"),
    ({"vet-code": [""], "vet-threshold": ["2"]}, "没有设置否决条件"),
    ({"name": ""}, "方案名称不能为空"),
    ({"valid_from": "0000-01-01"}, "起用日期须为有效日期"),
    ({"excellent_at": "70"}, "优秀 &gt; 良好 &gt; 合格"),
    ({"min_sample": "1e9"}, "最少样本数须为整数"),
    ({"ded-points": ["abc"]}, "不是数字"),
])
def test_every_fault_shown_beside_its_row_nothing_saved(client_as, quarter, over, field_words):
    ev = quarter()
    before = Scheme.objects.count()
    r = client_as("supervisor").post(reverse("evaluation:scheme_new"), _form(ev.scheme, **over))
    html = r.content.decode()
    assert r.status_code == 400
    assert field_words in html and 'data-testid="scheme-errors"' in html and "is-invalid" in html
    assert Scheme.objects.count() == before


def test_rows_are_added_and_removed_without_javascript(client_as, quarter):
    ev = quarter()
    before = Scheme.objects.count()
    c = client_as("supervisor")
    r = c.post(reverse("evaluation:scheme_new"), _form(ev.scheme, op="add:indicators"))
    assert r.status_code == 200 and r.content.decode().count('name="ind-weight"') == 2
    r = c.post(reverse("evaluation:scheme_new"), _form(ev.scheme, op="remove:deductions:0"))
    assert r.status_code == 200 and 'name="ded-points"' not in r.content.decode()
    assert Scheme.objects.count() == before


# ----------------------------------------------------------------------------------------- groups
def test_groups_are_shown_and_placements_change_the_next_run(client_as, quarter, depts):
    quarter()
    c = client_as("supervisor")
    html = c.get(reverse("evaluation:groups")).content.decode()
    assert "县直部门" in html and "测试县市场监督管理局" in html
    assert "计入“测试县市场监督管理局”" in html  # its section (登记注册科) counts in the bureau
    r = c.post(reverse("evaluation:groups"), {"op": "group", "code": "special", "name": "重点单位", "kinds": []})
    assert r.status_code == 302 and DepartmentGroup.objects.filter(code="special").exists()
    r = c.post(reverse("evaluation:groups"), {"op": "place", "department": "TA", "group": "special"})
    assert r.status_code == 302 and GroupMember.objects.get(department=depts["a"]).group.code == "special"
    fix = evaluation_run("2026Q3", now=NOW, reason="调整分组后重算")
    assert fix.scores.get(department=depts["a"]).group_code == "special"
    c.post(reverse("evaluation:groups"), {"op": "place", "department": "TA", "group": ""})
    assert not GroupMember.objects.exists()


@pytest.mark.parametrize("data,words", [
    ({"op": "group", "code": "Bad Code", "name": "x"}, "分组编码"),
    ({"op": "group", "code": "more", "name": "", "kinds": []}, "分组名称不能为空"),
    ({"op": "group", "code": "more", "name": "x", "kinds": ["bureau"]}, "已属于分组"),
    ({"op": "group", "code": "more", "name": "x", "kinds": ["planet"]}, "单位类型"),
    ({"op": "place", "department": "NOPE", "group": "bureaus"}, "单位不存在"),
    ({"op": "place", "department": "TA", "group": "nope"}, "考核分组不存在"),
    ({"op": "group", "code": "more", "name": "x", "position": "99999999999"}, "排序"),
    ({"op": "zap"}, "操作无效"),
])
def test_bad_group_changes(client_as, quarter, data, words):
    quarter()
    n = (DepartmentGroup.objects.count(), GroupMember.objects.count())
    r = client_as("supervisor").post(reverse("evaluation:groups"), data)
    assert r.status_code == 400 and words in r.content.decode()
    assert (DepartmentGroup.objects.count(), GroupMember.objects.count()) == n


def test_a_leader_reads_groups_but_cannot_change_them(client_as, quarter):
    quarter()
    assert client_as("leader").get(reverse("evaluation:groups")).status_code == 200
    r = client_as("leader").post(reverse("evaluation:groups"), {"op": "place", "department": "TA", "group": "windows"})
    assert r.status_code == 403 and not GroupMember.objects.exists()


# ----------------------------------------------------------------------------------------- a head's own
def test_a_head_sees_its_own_department_only(client_as, quarter, depts):
    ev = quarter()
    r = client_as("head").get(reverse("evaluation:my_scores"))
    html = r.content.decode()
    a = ev.scores.get(department=depts["a"])
    b = ev.scores.get(department=depts["b"])
    assert r.status_code == 200 and reverse("evaluation:score_detail", args=[a.pk]) in html
    assert "测试县自然资源局" not in html and reverse("evaluation:score_detail", args=[b.pk]) not in html
    assert client_as("head").get(reverse("evaluation:score_detail", args=[b.pk])).status_code == 404
    assert client_as("handler").get(reverse("evaluation:my_scores")).status_code == 403
    assert client_as("supervisor").get(reverse("evaluation:my_scores")).status_code == 403


def test_drafts_do_not_reach_a_head(client_as, quarter):
    quarter(publish=False)
    html = client_as("head").get(reverse("evaluation:my_scores")).content.decode()
    assert "尚无已发布的考核结果" in html


# ----------------------------------------------------------------------------------------- nav and landing
def test_nav_and_the_supervisor_s_landing_panel(client_as, quarter):
    ev = quarter()
    html = client_as("supervisor").get(reverse("core:home")).content.decode()
    assert "效能考核" in html and "考核方案" in html and detail(ev) in html
    assert "已发布" in html
    head = client_as("head").get(reverse("core:home")).content.decode()
    assert "本单位考核" in head and reverse("evaluation:schemes") not in head
    leader = client_as("leader").get(reverse("core:home")).content.decode()
    assert reverse("evaluation:office_list") in leader


def test_the_shipped_scheme_reads_and_round_trips_through_the_editor(client_as, depts):
    from xiaoneng.evaluation.services.schemes import schemes_ensure_default

    schemes_ensure_default(now=NOW)
    shipped = Scheme.objects.filter(period_kind="quarter").order_by("version").first()
    c = client_as("supervisor")
    html = c.get(reverse("evaluation:scheme_detail", args=[shipped.pk])).content.decode()
    assert "政务公开" in html and "一票否决" in html  # disclosure has its data since issue 14
    page = c.get(reverse("evaluation:scheme_new"), {"kind": "quarter"})
    assert page.status_code == 200
    # post back what the editor shows (as a browser would), with a start date: a new version, equal to the old
    from xiaoneng.evaluation import forms
    from xiaoneng.evaluation.services.schemes import spec_of

    values = forms.spec_rows(spec_of(shipped))
    data = {k: values[k] for k in forms.SCALARS}
    data.update({"op": "save", "period_kind": "quarter", "valid_from": "2027-01-01"})
    for table, (prefix, cols) in forms.TABLES.items():
        for col in cols:
            data[f"{prefix}-{col}"] = [row[col] for row in values[table]]
    r = c.post(reverse("evaluation:scheme_new"), data)
    assert r.status_code == 302, r.content.decode()[-3000:]
    new = Scheme.objects.filter(period_kind="quarter").order_by("-version").first()
    old_spec, new_spec = spec_of(shipped), spec_of(new)
    for key in ("indicators", "deductions", "bonuses", "vetoes", "total", "min_sample"):
        assert new_spec[key] == old_spec[key], key
