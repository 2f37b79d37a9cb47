"""The engine under the shipped scheme reads a fixed number of queries whatever the number of departments
(issue 13: every calculation in bulk, GROUP BY, rolled up): pinned, and the same for a county of 3 evaluated
departments and one of 23."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xiaoneng.accounts.services import department_create
from xiaoneng.core.periods import Period
from xiaoneng.evaluation.services.evaluate import compute, placement
from xiaoneng.evaluation.services.schemes import scheme_for

from .conftest import TZ, at, ev

NOW = dt.datetime(2026, 10, 12, 9, 0, tzinfo=TZ)
Q3 = Period.parse("2026Q3")
# placement 4 (groups ensured, groups, explicit members, departments); the scheme's rows 3; cases 4 (completion
# with procedure and fee cards, working-days ratio, data reporting, committed limits); cards 1; complaints 1;
# ratings 3 (ratings, complaint follow-ups, rectifications) and appeals 1; surveys 1 (none closed in the
# quarter); inspections 1; sanctions 1 (points and the disciplinary veto share it); disclosure 2 (issue 14: the
# check lines of the period's published disclosure days, and their findings not rectified in time — registered
# by the disclosure app in place of the placeholders, which read nothing).
QUERIES = 22


def bureaus(depts, make_item, ingest, prefix: str, count: int) -> None:
    """`count` more bureaus, each with a section, an item and a case completed in the quarter."""
    for n in range(count):
        key = f"{prefix}{n}"
        d = department_create(code=f"T{prefix.upper()}{n:02d}", name=f"测试局{prefix}{n}", parent=depts["county"])
        department_create(code=f"T{prefix.upper()}{n:02d}S", name=f"测试科{prefix}{n}", kind="section", parent=d)
        depts[key] = d
        code = f"{prefix.upper()}I{n:03d}"
        make_item(code=code, dept=key, name=f"事项{prefix}{n}")
        w = at("2026-07-06 09:00") + timedelta(days=n % 3)
        ingest([ev(f"{code}-1", "received", w, code), ev(f"{code}-1", "accepted", w, code),
                ev(f"{code}-1", "completed", w + timedelta(days=2), code)], now=w + timedelta(days=3))


def world(depts, make_item, ingest) -> None:
    """Bureau A's case and one more bureau: 3 evaluated departments (A, B and it)."""
    ingest([ev("Q1", "received", at("2026-07-06 09:00")), ev("Q1", "accepted", at("2026-07-06 09:00")),
            ev("Q1", "completed", at("2026-07-08 10:00"))], now=at("2026-07-08 11:00"))
    bureaus(depts, make_item, ingest, "q", 1)


def count_compute() -> tuple[int, int]:
    scheme = scheme_for(Q3)
    with CaptureQueriesContext(connection) as q:
        results, _ = compute(Q3, scheme, now=NOW)
    return len(q.captured_queries), len(results)


@pytest.mark.django_db
def test_a_small_county_is_evaluated_in_a_pinned_number_of_queries(depts, items, make_item, ingest,
                                                                  django_assert_num_queries):
    world(depts, make_item, ingest)
    scheme = scheme_for(Q3)
    placement()  # the default groups exist (the first run creates them: a write, not counted here)
    with django_assert_num_queries(QUERIES):
        results, _ = compute(Q3, scheme, now=NOW)
    assert len(results) == 3


@pytest.mark.django_db
def test_twenty_more_departments_read_no_more_queries(depts, items, make_item, ingest):
    world(depts, make_item, ingest)
    placement()
    small = count_compute()
    bureaus(depts, make_item, ingest, "z", 20)
    large = count_compute()
    assert (small[1], large[1]) == (3, 23)
    assert large[0] == small[0] == QUERIES
