"""The demo's disclosure-day step on a small hand-built county (the catalogue step's world is not needed to test
it): the last four disclosure days before the clock checked and published, findings put right by later entries,
the rest judged by the tick, and the evaluation scoring `disclosure`."""

from __future__ import annotations

import datetime as dt
import random

from xiaoneng.demo.county import DemoContext
from xiaoneng.demo.disclosure_check import step_disclosure_check
from xiaoneng.disclosure.models import CheckFinding, CheckStatus, DisclosureCheck, FindingStatus
from xiaoneng.disclosure.tests.check_fixture import at, build, entry


def test_the_step_checks_and_publishes_the_last_four_days(calendar, depts, staff):
    w = build(depts)
    entry(w["items"]["A-FEE"], at(2026, 10, 12, 9))  # puts right the 8 Oct finding of A-FEE
    now = at(2026, 12, 1, 9)
    ctx = DemoContext(scale="small", rng=random.Random(1), now=now, password="x", staff=dict(
        (s.username, s) for s in staff.values()))
    step_disclosure_check(ctx)
    assert [c.date for c in DisclosureCheck.objects.order_by("date")] == [
        dt.date(2026, 1, 5), dt.date(2026, 4, 7), dt.date(2026, 7, 6), dt.date(2026, 10, 8)]
    assert set(DisclosureCheck.objects.values_list("status", flat=True)) == {CheckStatus.PUBLISHED}
    assert ctx.counts["disclosure_checks"] == 4
    fee = CheckFinding.objects.get(disclosure_check__date=dt.date(2026, 10, 8), item_code="A-FEE")
    assert fee.status == FindingStatus.RECTIFIED and fee.rectified_at == at(2026, 10, 12, 9)
    step_disclosure_check(ctx)  # again: nothing new
    assert DisclosureCheck.objects.count() == 4

    from xiaoneng.evaluation.services.evaluate import evaluation_run

    ev = evaluation_run("2026Q4", now=at(2027, 1, 11, 9))
    score = ev.scores.get(department__code="TA")
    assert score.lines.get(code="disclosure").scored
