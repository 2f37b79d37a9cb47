"""The calculations on the edges: the survey and inspection scores (through the surveys' and inspections' own
services), failed inspection items as the line's flags, the quarter's boundaries, a clock started after hours,
a section rolling up into its bureau, the whole-tens rule of early completion, and the years 0001 and 9999."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta
from decimal import Decimal as D

import pytest

from xiaoneng.core.periods import Period
from xiaoneng.evaluation import indicators as reg
from xiaoneng.evaluation.services.evaluate import compute, placement
from xiaoneng.evaluation.services.schemes import scheme_for
from xiaoneng.inspections.models import Visit
from xiaoneng.inspections.tests.conftest import (  # noqa: F401  (fixtures)
    _rules_and_media,
    checklist,
    invited,
    plans,
    record,
)
from xiaoneng.surveys import services as survey_services
from xiaoneng.surveys.services import GroupInput
from xiaoneng.surveys.testing import build_survey, full_answers

from .conftest import TZ, at, ev

NOW = dt.datetime(2026, 10, 12, 9, 0, tzinfo=TZ)


def measures(period: str, code: str) -> dict:
    p = Period.parse(period)
    where = placement()
    ctx = reg.Context(period=p, departments=where.departments, owner_of=where.owner_of, now=NOW)
    by_pk = {d.pk: d.code for d in where.departments}
    return {by_pk[d]: m for d, m in reg.INDICATORS[code].compute(ctx).items()}


def adjustments(period: str, registry: dict, code: str) -> dict:
    p = Period.parse(period)
    where = placement()
    ctx = reg.Context(period=p, departments=where.departments, owner_of=where.owner_of, now=NOW)
    by_pk = {d.pk: d.code for d in where.departments}
    return {by_pk[d]: u for d, u in registry[code].compute(ctx).items()}


def test_survey_and_inspection_scores_with_failed_items_as_flags(depts, staff, record):  # noqa: F811
    sup = staff["supervisor"]
    survey = build_survey(by=sup, departments=[depts["a"], depts["b"]], opens_at=at("2026-03-02 09:00"),
                          closes_at=at("2026-03-31 18:00"), now=at("2026-03-01 09:00"))
    survey_services.groups_save(survey=survey, by=sup, now=at("2026-03-10 10:00"),
                                groups=[GroupInput("public", "社会公众", "1", 1)])
    for i in range(3):  # A rated 满意 (75 points), B 不满意 (25) by three respondents
        survey_services.response_submit(survey=survey, answers=full_answers(survey, {depts["a"].pk: 4,
                                                                                     depts["b"].pk: 2}),
                                        group="public", now=at("2026-03-10 10:00") + timedelta(seconds=i))
    s = measures("2026Q1", "survey_score")
    assert (s["TA"].value, s["TA"].denominator, s["TA"].numerator) == (D("75.00"), 3, None)
    assert s["TB"].value == D("25.00")
    assert measures("2026Q2", "survey_score") == {}  # the survey closed in Q1

    # Visits (recorded by the office on an open plan: accepted and published at once): A twice, one failing
    # 在岗在位; B once, failing two items.
    v1 = record(sup, mode="open", dept="a", fail=("在岗在位",), now=at("2026-03-03 10:00"))
    v2 = record(sup, mode="open", dept="a", fail=(), now=at("2026-03-04 10:00"))
    v3 = record(sup, mode="open", dept="b", fail=("在岗在位", "服务态度"), now=at("2026-03-05 10:00"))
    record(sup, mode="covert", dept="b", fail=(), now=at("2026-03-06 10:00"))  # not published: not counted
    scores = {v.pk: v.score for v in Visit.objects.all()}
    m = measures("2026Q1", "inspection_score")
    assert m["TA"].value == ((scores[v1.pk] + scores[v2.pk]) / 2).quantize(D("0.01"))
    assert m["TA"].denominator == 2 and m["TA"].flags == ("检查发现不符合项 1 项",)
    assert m["TB"].value == scores[v3.pk] and m["TB"].flags == (f"检查发现不符合项 {Visit.objects.get(pk=v3.pk).failed} 项",)
    assert scores[v2.pk] == 100 and scores[v1.pk] < 100

    rows = reg.INDICATORS["inspection_score"].evidence(
        reg.Context(period=Period.parse("2026Q1"), departments=placement().departments,
                    owner_of=placement().owner_of, now=NOW), depts["a"])
    assert [r.label for r in rows] == [v1.number, v2.number] and rows[0].url.endswith(f"/{v1.pk}/")
    assert "不符合项1项" in rows[0].counted and "王代表" not in "".join(r.label + r.counted for r in rows)


@pytest.mark.django_db
def test_the_quarters_edges_a_clock_after_hours_and_a_section_rolling_up(depts, items, make_item, ingest):
    # completed at the last second of Q3 (local time) and at the first of Q4
    ingest([ev("E1", "received", at("2026-09-21 09:00")), ev("E1", "accepted", at("2026-09-21 09:00")),
            ev("E1", "completed", at("2026-09-30 23:59:59"))], now=at("2026-10-01 08:00"))
    ingest([ev("E2", "received", at("2026-09-21 09:00")), ev("E2", "accepted", at("2026-09-21 09:00")),
            ev("E2", "completed", at("2026-10-01 00:00"))], now=at("2026-10-01 08:00"))
    assert measures("2026Q3", "on_time_rate")["TA"].denominator == 1
    assert measures("2026Q4", "on_time_rate")["TA"].denominator == 1
    # a section's own item: its cases count for its bureau, never for another
    make_item(code="KS001", dept="a1", name="科室事项")
    ingest([ev("S1", "received", at("2026-07-06 09:00"), "KS001"), ev("S1", "accepted", at("2026-07-06 09:00"), "KS001"),
            ev("S1", "completed", at("2026-07-10 10:00"), "KS001")], now=at("2026-07-10 11:00"))
    on_time = measures("2026Q3", "on_time_rate")
    # S1 (the section's, early) and E1 (completed at midnight, days past its 5 wd): 1 of 2
    assert (on_time["TA"].numerator, on_time["TA"].denominator) == (1, 2) and "TB" not in on_time
    ctx = reg.Context(period=Period.parse("2026Q3"), departments=placement().departments,
                      owner_of=placement().owner_of, now=NOW)
    assert [e.label for e in reg.INDICATORS["on_time_rate"].evidence(ctx, depts["a"])] == ["S1", "E1"]
    assert reg.INDICATORS["on_time_rate"].evidence(ctx, depts["b"]) == []


@pytest.mark.django_db
def test_a_clock_started_after_hours_takes_no_negative_days(depts, items, ingest):
    # accepted on Friday 10 July after the close: the clock starts Monday; done Monday morning = day 0, early by
    # the whole 5 wd limit, 0 working days taken (never negative)
    ingest([ev("H1", "received", at("2026-07-10 18:30")), ev("H1", "accepted", at("2026-07-10 18:30")),
            ev("H1", "completed", at("2026-07-13 10:00"))], now=at("2026-07-13 11:00"))
    r = measures("2026Q3", "avg_working_days_ratio")["TA"]
    assert (r.numerator, r.denominator, r.value) == (0, 1, 0)


@pytest.mark.django_db
def test_early_completion_counts_whole_tens_of_percent(depts, items, ingest):
    events = []
    for n in range(10):  # 10 cases, one of them early: exactly 10 % → 1
        events += [ev(f"W{n}", "received", at("2026-07-06 09:00")), ev(f"W{n}", "accepted", at("2026-07-06 09:00")),
                   ev(f"W{n}", "completed", at("2026-07-06 10:00" if n == 0 else "2026-07-13 10:00"))]
    ingest(events, now=at("2026-07-14 09:00"))
    assert adjustments("2026Q3", reg.BONUSES, "early_completion") == {"TA": 1}
    # an eleventh on-time case: 1 of 11 = 9 % → nothing
    ingest([ev("W10", "received", at("2026-07-06 09:00")), ev("W10", "accepted", at("2026-07-06 09:00")),
            ev("W10", "completed", at("2026-07-13 10:00"))], now=at("2026-07-14 09:00"))
    assert adjustments("2026Q3", reg.BONUSES, "early_completion") == {}
    # committed 5 of statutory 20 on both of A's items: 25 % ≤ 70 % → the bonus; B's too
    assert adjustments("2026Q3", reg.BONUSES, "short_commitment") == {"TA": 1, "TB": 1}
    # before the items existed (created 2025-01-02) nobody has the bonus
    assert adjustments("2024Q4", reg.BONUSES, "short_commitment") == {}


@pytest.mark.django_db
@pytest.mark.parametrize("period", ["0001", "0001Q1", "9999", "9999Q4", "9999-12"])
def test_the_first_and_last_years_compute_to_nothing_without_failing(depts, items, period):
    p = Period.parse(period)
    scheme = scheme_for(Period.parse("2026" if p.kind == "year" else {"quarter": "2026Q1", "month": "2026-01"}[p.kind]))
    results, notes = compute(p, scheme, now=NOW)
    assert {r.department.code for r in results} == {"TA", "TB"}
    assert all(r.no_data for r in results)
    # nothing measured; only the committed-limits bonus (a state of the catalogue, not of the period) may apply
    assert all(r.score == r.bonuses and r.base_points == 0 and r.deductions == 0 for r in results)
    assert all(r.bonuses == 0 for r in results) if p.start.year == 1 else True
