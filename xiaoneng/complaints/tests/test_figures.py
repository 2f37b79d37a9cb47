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
    assert chart["compare"]["reply_rate"] == [66.7, 0.0] and len(chart["departments"]) == 2
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

