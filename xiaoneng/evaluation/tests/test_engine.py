"""The engine on a one-indicator scheme: the curve, redistribution for departments without data, deductions,
revisions and publication (the hand-built fixture of every shipped indicator: test_fixture_by_hand.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from xiaoneng.core.errors import DomainError
from xiaoneng.core.periods import Period
from xiaoneng.evaluation.models import Evaluation, EvaluationStatus, Grade, Scheme
from xiaoneng.evaluation.services.evaluate import curve, evaluation_publish, evaluation_run, wilson
from xiaoneng.evaluation.services.schemes import scheme_create_version

from .conftest import TZ

NOW = dt.datetime(2026, 10, 12, 9, 0, tzinfo=TZ)


def one_indicator_spec(**over):
    spec = {"period_kind": "quarter", "name": "测试方案", "valid_from": dt.date(2026, 1, 1), "total": D(100),
            "excellent_at": D(90), "good_at": D(80), "pass_at": D(60), "min_sample": 2, "bulletin_top": 8,
            "bulletin_bottom": 8, "escalation_bottom": 5,
            "indicators": [{"code": "on_time_rate", "weight": D(100), "floor": D("0.5"), "target": D(1)}],
            "deductions": [{"code": "card_red", "points": D(10), "cap": None}], "bonuses": [], "vetoes": []}
    spec.update(over)
    return spec


def test_curve_is_linear_and_capped_both_ways():
    assert curve(D("0.75"), D("0.5"), D(1)) == D("0.5")
    assert curve(D("0.2"), D("0.5"), D(1)) == 0
    assert curve(D("1"), D("0.5"), D(1)) == 1
    # lower is better: floor above target
    assert curve(D("0.75"), D(1), D("0.5")) == D("0.5")
    assert curve(D("0.4"), D(1), D("0.5")) == 1


def test_wilson_interval_matches_the_formula_by_hand():
    # k=8, n=10, z=1.96: centre = (0.8 + 0.19208)/1.38416 = 0.71674…, half = 1.96·sqrt(0.016 + 0.0096040)/1.38416
    lo, hi = wilson(D(8), D(10))
    assert (lo, hi) == (D("0.4902"), D("0.9433"))
    assert wilson(D(0), D(0)) is None


@pytest.mark.django_db
def test_a_quarter_under_one_indicator(depts, ended_case):
    scheme_create_version(one_indicator_spec(), now=NOW)
    # bureau A: 3 completed in Q3, 2 on time (the 3rd completed far past its 1-wd committed limit of SP001?)
    ended_case("Q1", received="2026-09-28 09:00", ended="2026-09-28 10:00")
    ended_case("Q2", received="2026-09-28 09:00", ended="2026-09-29 10:00")
    ev = evaluation_run("2026Q3", now=NOW)
    assert ev.status == EvaluationStatus.DRAFT and ev.revision == 1
    scores = {s.department.code: s for s in ev.scores.all()}
    assert set(scores) == {"TA", "TB"}  # bureaus are evaluated; sections roll up, the office and county are not
    a = scores["TA"]
    line = a.lines.get(code="on_time_rate")
    assert line.denominator == 2
    assert a.rank == 1 and scores["TB"].rank == 2
    assert scores["TB"].base_points == 0 and "本期无可计分的数据" in scores["TB"].flags
    assert scores["TB"].lines.get(code="on_time_rate").scored is False
    assert a.score == line.points == D(100) * curve(line.value, D("0.5"), D(1))
    assert a.grade in Grade.values


@pytest.mark.django_db
def test_publication_freezes_and_corrections_are_revisions(depts, ended_case):
    scheme_create_version(one_indicator_spec(), now=NOW)
    ev = evaluation_run("2026Q3", now=NOW)
    again = evaluation_run("2026Q3", now=NOW)  # a draft re-computes in place
    assert again.pk == ev.pk and Evaluation.objects.count() == 1
    evaluation_publish(ev, now=NOW)
    with pytest.raises(DomainError) as e:
        evaluation_run("2026Q3", now=NOW)
    assert e.value.field == "reason"
    fix = evaluation_run("2026Q3", now=NOW, reason="补录办件数据后更正")
    assert fix.revision == 2 and fix.status == EvaluationStatus.DRAFT
    evaluation_publish(fix, now=NOW)
    ev.refresh_from_db()
    assert ev.status == EvaluationStatus.SUPERSEDED and ev.scores.count() == 2  # the old one kept


@pytest.mark.django_db
def test_a_period_still_running_is_a_preview_and_cannot_be_published(depts):
    scheme_create_version(one_indicator_spec(), now=NOW)
    ev = evaluation_run("2026Q4", now=NOW)
    assert "尚未结束" in ev.notes[0]
    with pytest.raises(DomainError):
        evaluation_publish(ev, now=NOW)


@pytest.mark.django_db
def test_no_scheme_in_force_is_said_in_chinese(depts):
    Scheme.objects.all().delete()  # the shipped ones (post_migrate) start in 2000
    scheme_create_version(one_indicator_spec(valid_from=dt.date(2027, 1, 1)), now=NOW)
    with pytest.raises(DomainError) as e:
        evaluation_run(Period.parse("2026Q3"), now=NOW)
    assert "没有适用的考核方案" in e.value.message
    assert Scheme.objects.count() == 1
