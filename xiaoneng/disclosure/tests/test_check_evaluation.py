"""Evaluation's `disclosure` indicator and `disclosure_late` deduction, registered by the disclosure app in place
of evaluation's placeholders: scored over the published checks dated in the period (hand-computed from
tests/check_fixture.py), unscored without one, as before."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from xiaoneng.disclosure.models import CheckFinding
from xiaoneng.disclosure.services.check import disclosure_check_publish, disclosure_check_run
from xiaoneng.disclosure.services.findings import findings_rectify_for_entry
from xiaoneng.evaluation import indicators
from xiaoneng.evaluation.services.evaluate import evaluation_run

from .check_fixture import DAY, RUN, at, build, entry


def lines(score) -> dict:
    return {ln.code: ln for ln in score.lines.all()}


@pytest.fixture
def published(calendar, depts, staff):
    w = build(depts)
    check = disclosure_check_run(date=DAY, now=RUN, by=staff["supervisor"])
    disclosure_check_publish(check=check, now=RUN, by=staff["supervisor"])  # deadline Wed 14 Oct 17:30
    return w


def test_the_placeholders_are_replaced():
    indicators.load()
    assert indicators.INDICATORS["disclosure"].available
    assert indicators.DEDUCTIONS["disclosure_late"].available
    assert "已公开项数 ÷ 应公开项数" in indicators.INDICATORS["disclosure"].definition


def test_a_quarter_with_a_published_check_scores_disclosure(published):
    # A's FEE finding put right on time (12 Oct), its FIN finding late (20 Oct); the rest stay open.
    findings_rectify_for_entry(entry(published["items"]["A-FEE"], at(2026, 10, 12, 9)), now=at(2026, 10, 12, 9))
    findings_rectify_for_entry(entry(published["items"]["A-FIN"], at(2026, 10, 20, 9)), now=at(2026, 10, 20, 9))
    ev = evaluation_run("2026Q4", now=at(2027, 1, 11, 9))
    s = {x.department.code: x for x in ev.scores.all()}
    la, lb, lt = lines(s["TA"]), lines(s["TB"]), lines(s["TT"])
    # A: 4 of 9 published; B: 3 of 3; T: itself 0 of 1 and its village 0 of 1 rolled up → 0 of 2.
    assert (la["disclosure"].numerator, la["disclosure"].denominator) == (4, 9) and la["disclosure"].scored
    assert la["disclosure"].value == D("0.4444")
    assert (lb["disclosure"].numerator, lb["disclosure"].denominator, lb["disclosure"].value) == (3, 3, 1)
    assert (lt["disclosure"].numerator, lt["disclosure"].denominator) == (0, 2)
    # Late: A's 5 findings − FEE (on time) = 4 (FIN rectified late counts); T 1 + V 1 = 2; B none.
    assert la["disclosure_late"].units == 4
    assert lt["disclosure_late"].units == 2
    assert "disclosure_late" not in lb or not lb["disclosure_late"].units
    assert all("政务公开" not in n for n in ev.notes)
    assert CheckFinding.objects.filter(department__code="TA").count() == 5


def test_evidence_lists_the_findings(published):
    from xiaoneng.core.periods import Period
    from xiaoneng.evaluation.indicators import Context

    a, t, v = published["a"], published["t"], published["v"]
    ctx = Context(Period.parse("2026Q4"), [a, t], {a.pk: a.pk, t.pk: t.pk, v.pk: t.pk}, at(2027, 1, 11, 9))
    rows = indicators.INDICATORS["disclosure"].evidence(ctx, a)
    assert len(rows) == 5 and {r.counted for r in rows} == {"逾期未整改"}
    assert rows[0].url == "/staff/disclosure/checks/2026-10-08/"
    late = indicators.DEDUCTIONS["disclosure_late"].evidence(ctx, t)
    assert [r.label.split(" ")[1] for r in late] == ["公开目录（目录未报备）"] * 2


def test_without_a_published_check_the_line_is_unscored(calendar, depts, staff):
    build(depts)
    disclosure_check_run(date=DAY, now=RUN, by=staff["supervisor"])  # a draft only
    ev = evaluation_run("2026Q4", now=at(2027, 1, 11, 9))
    for score in ev.scores.all():
        ln = lines(score)
        assert not ln["disclosure"].scored
        assert "disclosure_late" not in ln or not ln["disclosure_late"].units
