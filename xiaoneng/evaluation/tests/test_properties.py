"""Properties of the evaluation (issue 13 §5), over the hand-built county of test_fixture_by_hand: permuting the
departments or the scheme's indicator (and adjustment) order never changes a score or a rank; adding an on-time
case never lowers on_time_rate; adding a card never raises any score. Each example runs in a transaction
rolled back at its end, so examples never see each other's data. Small example counts: it stays fast."""

from __future__ import annotations

import datetime as dt
import itertools
from datetime import timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xiaoneng.cases.models import Case
from xiaoneng.core.periods import Period
from xiaoneng.evaluation.services.evaluate import Placement, compute, placement
from xiaoneng.evaluation.services.schemes import scheme_create_version, scheme_for, spec_of
from xiaoneng.supervision.models import Rule
from xiaoneng.supervision.services.issue import cards_insert

from .conftest import at, ev
from .test_fixture_by_hand import NOW, county  # noqa: F401  (the fixture)

Q3 = Period.parse("2026Q3")
FAST = settings(max_examples=8, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
_n = itertools.count(1)


def outcome(where=None, scheme=None) -> dict:
    results, _notes = compute(Q3, scheme or scheme_for(Q3), now=NOW, where=where)
    return {r.department.code: (r.score, r.rank, r.rank_overall, r.grade,
                                tuple((ln.code, ln.points, ln.value) for ln in sorted(r.lines, key=lambda x: x.code)))
            for r in results}


class Rollback(Exception):
    pass


def rolled_back(fn):
    """Run fn inside a transaction that is always rolled back (one hypothesis example's data)."""
    try:
        with transaction.atomic():
            out = fn()
            raise Rollback(out)
    except Rollback as r:
        return r.args[0]


@pytest.mark.django_db
@FAST
@given(order=st.permutations(range(4)))
def test_the_order_of_departments_changes_nothing(county, order):  # noqa: F811
    base = outcome()
    where = placement()
    shuffled = Placement([where.departments[i] for i in order], where.group_of, where.owner_of)
    assert outcome(shuffled) == base


@pytest.mark.django_db
@FAST
@given(data=st.data())
def test_the_order_of_the_schemes_rows_changes_nothing(county, data):  # noqa: F811
    base = outcome()
    spec = spec_of(scheme_for(Q3))
    for key in ("indicators", "deductions", "bonuses"):
        spec[key] = data.draw(st.permutations(spec[key]), label=key)
    spec["valid_from"] = dt.date(2026, 1, 1)

    def run():
        return outcome(scheme=scheme_create_version(spec, now=NOW))

    assert rolled_back(run) == base


@pytest.mark.django_db
@FAST
@given(code=st.sampled_from(["SP001", "ZR001", "GC001", "TT001"]), early=st.booleans(),
       day=st.integers(min_value=0, max_value=20))
def test_an_on_time_case_never_lowers_the_on_time_rate(county, ingest, code, early, day):  # noqa: F811
    owner = {"SP001": "TA", "ZR001": "TB", "GC001": "TC", "TT001": "TT"}[code]
    before = outcome()[owner]
    before_rate = dict((c, v) for c, _p, v in before[4])["on_time_rate"]
    start = at("2026-08-03 09:00") + timedelta(days=day)  # a Monday in August, then up to 20 days on

    def run():
        no = f"P{next(_n)}"
        done = start + timedelta(hours=1) if early else None
        events = [ev(no, "received", start, code), ev(no, "accepted", start, code)]
        ingest(events, now=start + timedelta(minutes=5))
        case = Case.objects.get(case_no=no)
        done = done or case.committed_deadline - timedelta(minutes=30)  # on its deadline day, before the close
        ingest([ev(no, "completed", done, code), ev(no, "delivered", done + timedelta(minutes=1), code)],
               now=done + timedelta(minutes=5))
        assert Case.objects.get(case_no=no).verdict in ("early", "on_time")
        return outcome()[owner]

    after = rolled_back(run)
    after_rate = dict((c, v) for c, _p, v in after[4])["on_time_rate"]
    assert after_rate >= before_rate


@pytest.mark.django_db
@FAST
@given(case_no=st.sampled_from(["A1", "A3", "B2", "C1", "T1"]),
       rule_code=st.sampled_from(["committed-reminder", "committed-yellow", "statutory-red", "second-notice",
                                  "fee-irregular", "step-order", "off-book"]))
def test_a_card_never_raises_a_score(county, case_no, rule_code):  # noqa: F811
    before = outcome()

    def run():
        case = Case.objects.get(case_no=case_no)
        rule = Rule.objects.get(code=rule_code)
        when = at("2026-08-20 10:00")
        cards_insert([("case", case.pk, rule.pk, rule.level, f"prop-{next(_n)}", "issued", case.department_id, None,
                       when, when, "性质测试", when)])
        return outcome()

    after = rolled_back(run)
    for code, (score, *_rest) in after.items():
        assert score <= before[code][0], (code, rule_code)
