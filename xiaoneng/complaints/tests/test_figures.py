"""The figures page's charts come from the same selector answer as its tables and the API: per month (every
month of the period, empty ones included) and per department, rates recomputed from summed counts."""

from __future__ import annotations

import json
import re
from datetime import date, datetime

from xiaoneng.complaints import services
from xiaoneng.complaints.selectors import figures

from .conftest import TZ

NOW = datetime(2026, 6, 1, 10, tzinfo=TZ)  # every complaint of the fixture is past its handling limit by then


def test_months_and_departments_are_sums_of_the_rows(figures_data):
    data = figures(start=date(2026, 2, 1), end=date(2026, 5, 31), now=NOW)
    assert [m["month"] for m in data["months"]] == ["2026-02", "2026-03", "2026-04", "2026-05"]
    feb, mar, apr, may = data["months"]
    assert feb["received"] == 0 and feb["response_rate"] is None and may["satisfaction_rate"] is None
    assert (mar["received"], mar["response_rate"], mar["reply_rate"], mar["closure_rate"], mar["satisfaction_rate"]) == (
        4, 1.0, round(2 / 3, 4), round(2 / 3, 4), 0.5)
    assert (apr["received"], apr["response_rate"], apr["reply_rate"]) == (1, 0.0, 0.0)
    by_dept = {d["department"]: d for d in data["departments"]}
    assert list(by_dept) == ["TA", "TB"] and by_dept["TA"]["department_name"]
    assert by_dept["TA"]["accepted"] == 3 and by_dept["TB"]["satisfaction_rate"] is None
    for axis in ("months", "departments"):
        assert sum(x["received"] for x in data[axis]) == data["total"]["received"] == 5


def test_a_rate_over_months_is_a_ratio_of_sums(figures_data, submit, staff):
    # A second March complaint for bureau B, decided on time: B's response rate over March-April is 1 of 2,
    # whatever the monthly rates (100 % and 0 %) would average to with other weights.
    c = submit(now=datetime(2026, 3, 10, 10, tzinfo=TZ), department="TB", phone="13900000077")
    services.complaint_accept(complaint=c, by=staff["supervisor"], now=datetime(2026, 3, 10, 11, tzinfo=TZ))
    c2 = submit(now=datetime(2026, 3, 11, 10, tzinfo=TZ), department="TB", phone="13900000078")
    services.complaint_accept(complaint=c2, by=staff["supervisor"], now=datetime(2026, 3, 11, 11, tzinfo=TZ))
    data = figures(start=date(2026, 3, 1), end=date(2026, 4, 30), now=NOW)
    b = next(d for d in data["departments"] if d["department"] == "TB")
    assert (b["received"], b["decided_on_time"], b["response_rate"]) == (3, 2, round(2 / 3, 4))


def test_page_chart_data_is_the_tables_numbers(client_as, figures_data):
    r = client_as("supervisor").get("/staff/complaints/figures/", {"from": "2026-03", "to": "2026-04"})
    assert r.status_code == 200
    html = r.content.decode()
    chart = json.loads(re.search(r'<script id="figures-chart-data" type="application/json">(.*?)</script>',
                                 html, re.S).group(1))
    assert chart["months"] == ["2026-03", "2026-04"]
    assert chart["trend"] == {"reply_rate": [66.7, 0.0], "closure_rate": [66.7, 0.0],
                              "satisfaction_rate": [50.0, None]}
    # Departments in the table's order: lowest 答复率 first by default (bureau B's 0 % before A's 66.7 %).
    assert chart["compare"]["reply_rate"] == [0.0, 66.7] and len(chart["departments"]) == 2
    assert chart["labels"]["satisfaction_rate"] == "满意率"
    # The same numbers, formatted by the same rounding, are in the tables; the charts are labelled images.
    assert "66.7%" in html and "50.0%" in html
    assert html.count('role="img"') == 2 and "数据见下表" in html
    assert "complaints/figures.js" in html and "<script>" not in html  # no inline script (CSP)


def test_department_head_sees_own_department_only_in_charts(client_as, figures_data):
    r = client_as("head").get("/staff/complaints/figures/", {"from": "2026-03", "to": "2026-04"})
    assert r.status_code == 200
    assert [d["department"] for d in r.context["data"]["departments"]] == ["TA"]
    assert r.context["chart"]["departments"] == [r.context["data"]["departments"][0]["department_name"]]


def test_the_reply_rate_counts_only_complaints_already_due_a_reply(figures_data):
    """答复率's denominator is the accepted complaints due a reply: one still inside its handling limit is not
    late, and must not pull the rate down (the seeds' 答复率 100 % is about answering what is due)."""
    early = figures(start=date(2026, 3, 1), end=date(2026, 3, 31), now=datetime(2026, 3, 10, 10, tzinfo=TZ))
    late = figures(start=date(2026, 3, 1), end=date(2026, 3, 31), now=NOW)
    assert (early["total"]["reply_due"], early["total"]["reply_rate"]) == (2, 1.0)  # the third is not due yet
    assert (late["total"]["reply_due"], late["total"]["reply_rate"]) == (3, round(2 / 3, 4))


def test_satisfaction_counts_the_top_levels_by_default_and_the_setting_changes_it_and_its_definition(
        figures_data, submit, staff, settings):
    """满意率 counts 非常满意 and 满意 only (DOMAIN.md §3); a county whose rules count 基本满意 too sets it, and
    the printed definition says what was counted."""
    from xiaoneng.complaints.models import Complaint, Rating

    Complaint.objects.filter(pk=figures_data[2].pk).update(rating=Rating.BASIC)
    data = figures(start=date(2026, 3, 1), end=date(2026, 3, 31), now=NOW)
    assert (data["total"]["basic"], data["total"]["rated"], data["total"]["satisfaction_rate"]) == (1, 2, 0.5)
    assert "基本满意" not in data["definitions"]["satisfaction_rate"]
    settings.XIAONENG_COMPLAINTS = {"SATISFIED_LEVELS": ["very_satisfied", "satisfied", "basic"]}
    data = figures(start=date(2026, 3, 1), end=date(2026, 3, 31), now=NOW)
    assert data["total"]["satisfaction_rate"] == 1.0 and "“基本满意”" in data["definitions"]["satisfaction_rate"]



# ------------------------------------------------------------------------- the page by department (issue 10 §5)
def _get(client, **params):
    return client.get("/staff/complaints/figures/", params)


def test_the_page_opens_on_this_quarter_and_offers_month_quarter_and_year(client_as, figures_data):
    from django.utils import timezone

    c = client_as("supervisor")
    today = timezone.localdate()
    q0 = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    r = _get(c)
    assert r.status_code == 200 and r.context["data"]["from"] == q0.isoformat()
    assert r.context["q"]["period"] == "quarter"
    data = _get(c, period="month", month="2026-03").context["data"]
    assert (data["from"], data["to"], data["total"]["received"]) == ("2026-03-01", "2026-03-31", 4)
    data = _get(c, period="quarter", month="2026-05").context["data"]
    assert (data["from"], data["to"], data["total"]["received"]) == ("2026-04-01", "2026-06-30", 1)
    data = _get(c, period="year", month="2026-05").context["data"]
    assert (data["from"], data["to"], data["total"]["received"]) == ("2026-01-01", "2026-12-31", 5)


def test_bad_period_month_or_sort_is_named_in_chinese_and_the_defaults_shown(client_as, figures_data):
    c = client_as("supervisor")
    for params, words in (({"period": "week"}, "period: 统计周期应为"), ({"month": "2026-13"}, "month:"),
                          ({"month": "99999-01"}, "月份格式"), ({"sort": "name; drop"}, "sort: 无法按"),
                          ({"from": "2026-05", "to": "2026-03"}, "起始月份不能晚于截止月份")):
        r = _get(c, **params)
        assert r.status_code == 400, params
        assert words in " ".join(r.context["errors"]), (params, r.context["errors"])
        assert 'data-testid="table-compare"' in r.content.decode()


def _order(r):
    return [d["department"] for d in r.context["ordered"]]


def test_departments_sort_by_any_column_and_a_rate_that_cannot_be_computed_goes_last(client_as, figures_data):
    c = client_as("supervisor")
    span = {"from": "2026-03", "to": "2026-04"}
    assert _order(_get(c, **span)) == ["TB", "TA"]  # lowest 答复率 first
    assert _order(_get(c, **span, sort="-reply_rate")) == ["TA", "TB"]
    assert _order(_get(c, **span, sort="-received")) == ["TA", "TB"]
    assert _order(_get(c, **span, sort="department")) == ["TA", "TB"]
    # Bureau B has no rated complaint: its 满意率 is "—", last both ways.
    assert _order(_get(c, **span, sort="satisfaction_rate")) == ["TA", "TB"]
    assert _order(_get(c, **span, sort="-satisfaction_rate")) == ["TA", "TB"]
    html = _get(c, **span, sort="-reply_rate").content.decode()
    # The headers are links (keyboard reachable) and the sorted one says so to assistive technology.
    assert 'aria-sort="descending"' in html and 'data-sort="closure_rate"' in html
    assert "sort=reply_rate" in html  # a second click on the sorted column turns the order


def test_the_page_summarises_by_department_and_drills_into_one_departments_months(client_as, figures_data):
    c = client_as("supervisor")
    r = _get(c, period="year", month="2026-01")
    html = r.content.decode()
    assert 'data-testid="table-rows"' not in html  # no department × month dump of every row
    assert "department=TA" in html  # each department links to its months
    r = _get(c, period="year", month="2026-01", department="TA")
    rows = r.context["data"]["rows"]
    assert {x["department"] for x in rows} == {"TA"} and [x["month"] for x in rows] == ["2026-03"]
    assert 'data-testid="table-rows"' in r.content.decode()


def test_charts_name_the_first_and_last_ten_departments_when_there_are_many(client_as, figures_data, depts, submit):
    from xiaoneng.accounts.services import department_create

    for i in range(25):
        department_create(code=f"TZ{i:02d}", name=f"测试县第{i:02d}局", parent=depts["county"])
        submit(now=datetime(2026, 3, 3, 10, tzinfo=TZ), department=f"TZ{i:02d}", phone=f"1391111{i:04d}")
    r = _get(client_as("supervisor"), period="quarter", month="2026-03", sort="department")
    chart = r.context["chart"]
    assert len(r.context["ordered"]) == 26 and len(chart["departments"]) == 20
    names = [d["department_name"] for d in r.context["ordered"]]
    assert chart["departments"] == names[:10] + names[-10:]
    assert "前 10 个和后 10 个" in chart["note"] and "共 26 个部门" in r.content.decode()


def test_the_page_and_export_cost_the_same_queries_for_two_or_thirty_departments(
        client_as, figures_data, depts, submit, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from xiaoneng.accounts.services import department_create

    c = client_as("supervisor")
    urls = ("/staff/complaints/figures/", "/staff/complaints/figures/export/")
    params = {"period": "year", "month": "2026-01"}
    counts = {}
    for url in urls:
        c.get(url, params)  # warm caches (calendar, settings)
        with CaptureQueriesContext(connection) as ctx:
            c.get(url, params)
        counts[url] = len(ctx)
    for i in range(28):
        department_create(code=f"TQ{i:02d}", name=f"测试县第{i:02d}办", parent=depts["county"])
        submit(now=datetime(2026, 3, 3, 10, tzinfo=TZ), department=f"TQ{i:02d}", phone=f"1392222{i:04d}")
    for url in urls:
        with django_assert_num_queries(counts[url]):
            r = c.get(url, params)
        assert r.status_code == 200
    assert counts["/staff/complaints/figures/"] <= 10, counts


def test_export_xlsx_has_the_pages_numbers_in_its_order_and_no_formula(client_as, figures_data, depts):
    import io

    from openpyxl import load_workbook

    from xiaoneng.accounts.models import Department

    Department.objects.filter(pk=depts["b"].pk).update(name='=HYPERLINK("http://evil.example","点击")')
    r = client_as("supervisor").get("/staff/complaints/figures/export/",
                                    {"from": "2026-03", "to": "2026-04", "fmt": "xlsx"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="complaint-figures-2026-03-01_2026-04-30.xlsx"' in r["Content-Disposition"]
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["各部门", "各月", "部门按月", "计算方法"]
    ws = wb["各部门"]
    head = [c.value for c in ws[1]]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert rows[0][0] == "TB" and rows[1][0] == "TA"  # the page's default order: lowest 答复率 first
    evil = ws["B2"]
    assert evil.value.startswith("=HYPERLINK") and evil.data_type == "s" and evil.quotePrefix
    ta = dict(zip(head, rows[1], strict=True))
    assert (ta["收到"], ta["答复率（%）"], ta["办结率（%）"], ta["满意率（%）"]) == (4, 66.7, 66.7, 50.0)
    assert rows[2][1] == "合计" and rows[2][2] == 5
    text = " ".join(str(c.value) for row in wb["计算方法"].iter_rows() for c in row)
    assert "答复率：" in text and "2026-03-01 — 2026-04-30" in text


def test_export_csv_escapes_formulas_and_bad_parameters_are_refused(client_as, figures_data, depts):
    from xiaoneng.accounts.models import Department

    Department.objects.filter(pk=depts["b"].pk).update(name="=1+2")
    c = client_as("supervisor")
    r = c.get("/staff/complaints/figures/export/", {"from": "2026-03", "to": "2026-04", "fmt": "csv"})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    text = r.content.decode("utf-8-sig")
    assert "#各部门" in text and "'=1+2" in text and "\n=1+2" not in text
    for params, words in (({"fmt": "pdf"}, "fmt: 导出格式应为 xlsx 或 csv"), ({"period": "week"}, "period:"),
                          ({"sort": "x"}, "sort:")):
        r = c.get("/staff/complaints/figures/export/", params)
        assert r.status_code == 400 and words in r.content.decode(), params


def test_a_heads_export_is_their_department_only(client_as, figures_data):
    import io

    from openpyxl import load_workbook

    r = client_as("head").get("/staff/complaints/figures/export/",
                              {"from": "2026-03", "to": "2026-04", "department": "TB"})
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    assert [row[0].value for row in wb["各部门"].iter_rows(min_row=2)] == ["TA", None]
    assert client_as("handler").get("/staff/complaints/figures/export/").status_code == 403
