"""Clocks that start outside office hours (issue 10 §1; DOMAIN.md §4): a clock started after the close or on
a day off starts at the next working day's opening, whatever its unit; an instant case (即办件, 0 wd) is due
at the close of the day its clock starts. For the limits, each step, §32's acceptance clock and the delivery
clock; on the Python clock, its array fast path and PostgreSQL's recompute alike."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xiaoneng.cases.clock import Facts, VersionInfo, compute_clock, fast_clock
from xiaoneng.cases.models import Case
from xiaoneng.cases.selectors import case_explain_deadline
from xiaoneng.cases.services import case_recompute_deadlines
from xiaoneng.workdays.calendar import get_calendar
from xiaoneng.workdays.services import calendar_day_set

from .conftest import NOW, TZ, ev
from .test_clock import python_clock

LATER = dt.datetime(2026, 12, 20, 10, 0, tzinfo=TZ)  # after every event below


def local(d: dt.datetime | None) -> str | None:
    return d.astimezone(TZ).strftime("%Y-%m-%d %H:%M") if d is not None else None


def get(no: str) -> Case:
    return Case.objects.select_related("version").get(case_no=no)


@pytest.fixture
def instant(items, make_item):
    """JB001: an instant item (即办件) of bureau A, promised on the spot (0 wd), 1 wd by law."""
    return make_item(code="JB001", name="个体工商户名称自主申报", item_type="instant", committed_limit_value=0,
                     statutory_limit_value=1,
                     steps=[{"kind": "accept", "name": "受理", "limit_value": 0, "limit_unit": "wd", "post": "",
                             "description": ""}])


def test_instant_case_accepted_after_the_close_is_not_overdue(instant, ingest):
    # Friday 4 December 2026, 18:49 (the demo's QY-SWU-20261204-0010): before the fix the 0-wd deadline
    # was 17:30 that Friday — before the clock started — and the case decided at 18:55 was 超期办结.
    r = ingest([ev("J1", "received", "2026-12-04 18:40", code="JB001"),
                ev("J1", "accepted", "2026-12-04 18:49", code="JB001"),
                ev("J1", "completed", "2026-12-04 18:55", code="JB001"),
                ev("J1", "delivered", "2026-12-04 19:00", code="JB001")], now=LATER)
    assert r.accepted == 4 and not r.errors
    c = get("J1")
    assert local(c.clock_start) == "2026-12-04 18:49"  # the moment of acceptance is kept as it was
    assert local(c.committed_deadline) == "2026-12-07 17:30"  # the close of Monday, the clock's day 0
    assert local(c.statutory_deadline) == "2026-12-08 17:30"
    assert c.committed_deadline >= c.clock_start
    # Decided before its clock could have run out: on time — not "early" by a day the limit never had.
    assert (c.verdict, c.verdict_working_days, c.statutory_overdue) == ("on_time", 0, False)
    explain = case_explain_deadline(c)
    assert "不在办公时间内" in explain["committed"]["explanation"]
    assert "2026年12月7日（星期一） 09:00" in explain["committed"]["explanation"]
    # The page's 起算 line: counting starts Monday 09:00, and says why.
    assert explain["start"] == dt.datetime(2026, 12, 7, 9, 0, tzinfo=TZ) and explain["given_start"] == c.clock_start
    assert explain["basis"] == ("自受理之日起计算；2026-12-04 18:49 不在办公时间内，顺延至下一个工作日开始办公时起算"
                                "（该日为第 0 日）")


def test_instant_case_after_the_close_on_a_weekday_and_decided_the_next_day(instant, ingest):
    ingest([ev("J2", "received", "2026-12-01 18:49", code="JB001"), ev("J2", "accepted", "2026-12-01 18:49", code="JB001"),
            ev("J2", "completed", "2026-12-02 10:00", code="JB001"),
            ev("J3", "received", "2026-12-01 18:49", code="JB001"), ev("J3", "accepted", "2026-12-01 18:49", code="JB001"),
            ev("J3", "completed", "2026-12-02 17:31", code="JB001")], now=LATER)
    j2, j3 = get("J2"), get("J3")
    assert local(j2.committed_deadline) == local(j3.committed_deadline) == "2026-12-02 17:30"
    assert j2.verdict == "on_time"
    assert j3.verdict == "overdue"  # one minute past the close of the day its clock ran: overdue, as ever


def test_instant_case_accepted_in_office_hours_keeps_its_day(instant, ingest):
    # Accepted 17:05 in office hours: the clock runs that day, due at its close. (Decided at 17:38 it is
    # overdue — DOMAIN.md §4: one second past the limit is overdue; only a clock that had not started yet
    # was wrong.)
    ingest([ev("J4", "received", "2026-12-03 15:58", code="JB001"), ev("J4", "accepted", "2026-12-03 17:05", code="JB001"),
            ev("J4", "completed", "2026-12-03 17:20", code="JB001"),
            ev("J5", "received", "2026-12-03 15:58", code="JB001"), ev("J5", "accepted", "2026-12-03 17:05", code="JB001"),
            ev("J5", "completed", "2026-12-03 17:38", code="JB001")], now=LATER)
    assert local(get("J4").committed_deadline) == "2026-12-03 17:30" and get("J4").verdict == "on_time"
    assert get("J5").verdict == "overdue"


def test_case_received_and_accepted_on_a_saturday(items, ingest):
    # Saturday 7 November 2026 (an online application): day 0 is Monday 9, so 5 wd end on Monday 16 (before
    # the fix: Friday 13); §32's 5 wd from receipt likewise.
    ingest([ev("W1", "received", "2026-11-07 10:00"), ev("W1", "accepted", "2026-11-07 10:30")],
           now=dt.datetime(2026, 11, 9, 8, 0, tzinfo=TZ))
    c = get("W1")
    assert local(c.acceptance_due_at) == "2026-11-16 17:30"
    assert local(c.committed_deadline) == "2026-11-16 17:30"
    assert local(c.statutory_deadline) == "2026-12-07 17:30"
    # The first step (受理, 1 wd) runs from the clock's start: due Tuesday 10, not Monday 9.
    assert local(c.current_step_due_at) == "2026-11-10 17:30"
    skipped = {d for d, _ in case_explain_deadline(c)["committed"]["skipped"]}
    assert {dt.date(2026, 11, 7), dt.date(2026, 11, 8)} <= skipped


def test_case_accepted_on_a_holiday(items, ingest):
    # Friday 2 October 2026 (National Day): day 0 is Thursday 8 October; 9, Sat 10 (调休), 12, 13, 14.
    ingest([ev("H1", "received", "2026-10-02 10:00"), ev("H1", "accepted", "2026-10-02 10:00")],
           now=dt.datetime(2026, 10, 2, 11, 0, tzinfo=TZ))
    c = get("H1")
    assert local(c.committed_deadline) == "2026-10-14 17:30"  # before the fix: 13 October
    assert local(c.acceptance_due_at) == "2026-10-14 17:30"


def test_delivery_clock_of_a_decision_after_the_close(items, ingest):
    # Decided Tuesday 10 November 19:00: the 3 wd for delivery count from Wednesday 11 → Monday 16.
    ingest([ev("X1", "received", "2026-11-02 09:00"), ev("X1", "accepted", "2026-11-02 09:00"),
            ev("X1", "completed", "2026-11-10 19:00")], now=dt.datetime(2026, 11, 10, 19, 5, tzinfo=TZ))
    c = get("X1")
    assert local(c.delivery_due_at) == "2026-11-16 17:30"  # before the fix: Friday 13


def test_early_never_exceeds_the_limit(items, ingest):
    # Accepted Tuesday 3 November 18:49 and decided 19:30 the same evening: due Wednesday 11 (5 wd from
    # Wednesday 4), and early by those 5 wd — not 6, counted from the Tuesday the clock never ran on.
    ingest([ev("E1", "received", "2026-11-03 18:40"), ev("E1", "accepted", "2026-11-03 18:49"),
            ev("E1", "completed", "2026-11-03 19:30")], now=LATER)
    c = get("E1")
    assert local(c.committed_deadline) == "2026-11-11 17:30"
    assert (c.verdict, c.verdict_working_days) == ("early", 5)


def _after_hours_running_cases(ingest):
    ingest([ev("A1", "received", "2026-11-03 18:40"), ev("A1", "accepted", "2026-11-03 18:49"),
            ev("A2", "received", "2026-11-07 10:00"), ev("A2", "accepted", "2026-11-07 10:00"),
            ev("A3", "received", "2026-11-03 10:00"), ev("A3", "accepted", "2026-11-03 10:00"),
            ev("A3", "step_completed", "2026-11-03 18:00", step="accept")],
           now=dt.datetime(2026, 11, 7, 11, 0, tzinfo=TZ))


def _recompute_after_holiday(staff):
    # Wednesday 4 and Tuesday 10 November become holidays.
    calendar_day_set(date=dt.date(2026, 11, 4), kind="holiday", name="测试假日", by=staff["admin"], now=NOW)
    calendar_day_set(date=dt.date(2026, 11, 10), kind="holiday", name="测试假日", by=staff["admin"], now=NOW)
    return case_recompute_deadlines(now=dt.datetime(2026, 11, 7, 12, 0, tzinfo=TZ))


def test_calendar_change_recomputes_after_hours_clocks_alike(items, ingest, staff):
    """On SQLite the Python clock recomputes these cases, on PostgreSQL the database path (the suite runs on
    both): the same deadlines either way."""
    _after_hours_running_cases(ingest)
    assert local(get("A1").committed_deadline) == "2026-11-11 17:30"  # day 0 Wednesday 4
    assert _recompute_after_holiday(staff) == 3
    a1, a2, a3 = get("A1"), get("A2"), get("A3")
    # A1, accepted Tuesday 18:49: day 0 is now Thursday 5; 6, 9, 11, 12, 13 → Friday 13.
    assert local(a1.committed_deadline) == "2026-11-13 17:30"
    assert local(a1.acceptance_due_at) == "2026-11-13 17:30"
    # A2, Saturday 7: day 0 Monday 9; 11, 12, 13, 16, 17.
    assert local(a2.committed_deadline) == "2026-11-17 17:30"
    # A3: its 审核 step (2 wd) began Tuesday 3 at 18:00, after the close: day 0 Thursday 5 → Monday 9.
    assert a3.current_step == "审核" and local(a3.current_step_due_at) == "2026-11-09 17:30"


def test_the_database_recompute_equals_the_python_clock_on_after_hours_starts(items, ingest, staff):
    """Many starts at the edges of office hours, on weekends, holidays and make-up days: the SQL recompute
    writes what the Python clock computes (and both keep every deadline at or after the clock's start)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the database path is PostgreSQL's; SQLite always takes the Python clock")
    times = ["07:15", "09:00", "12:30", "17:30", "17:31", "18:49", "23:59"]
    days = ["2026-09-19", "2026-09-20", "2026-09-30", "2026-10-03", "2026-10-09", "2026-10-10", "2026-11-06"]
    events = []
    for i, (d, t) in enumerate((d, t) for d in days for t in times):
        events += [ev(f"Q{i}", "received", f"{d} {t}"), ev(f"Q{i}", "accepted", f"{d} {t}"),
                   ev(f"Q{i}", "step_completed", f"{d} {t}", step="accept")]
    assert not ingest(events, now=dt.datetime(2026, 11, 7, 7, 0, tzinfo=TZ)).errors
    calendar_day_set(date=dt.date(2026, 10, 12), kind="holiday", name="测试假日", by=staff["admin"], now=NOW)
    cols = ("acceptance_due_at", "clock_start", "committed_deadline", "statutory_deadline", "current_step_due_at")
    python = python_clock(cols)
    assert len(python) == Case.objects.count()
    case_recompute_deadlines(now=LATER)
    assert {row[0]: row[1:] for row in Case.objects.values_list("case_no", *cols)} == python
    cal = get_calendar()
    for _acc, start, committed, statutory, step in python.values():
        assert cal.clock_start(start) <= committed <= statutory and step >= cal.clock_start(start)


# ------------------------------------------------------------------------------------------ properties
PROPS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
SH = dt.timezone(dt.timedelta(hours=8))
edge = st.sampled_from([dt.time(0), dt.time(8), dt.time(9), dt.time(11, 59), dt.time(12), dt.time(12, 30),
                        dt.time(13, 30), dt.time(17, 29), dt.time(17, 30), dt.time(17, 31), dt.time(18, 49),
                        dt.time(23, 59)])
minute = st.builds(lambda m: dt.time(m // 60, m % 60), st.integers(0, 24 * 60 - 1))
days = st.one_of(st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2026, 10, 31)),
                 st.sampled_from([dt.date(2026, 9, 20), dt.date(2026, 9, 30), dt.date(2026, 10, 1),
                                  dt.date(2026, 10, 9), dt.date(2026, 10, 10), dt.date(2026, 2, 14),
                                  dt.date(2026, 2, 16), dt.date(2026, 2, 28), dt.date(2025, 12, 31)]))
moments = st.builds(lambda d, t: dt.datetime.combine(d, t, tzinfo=SH), days, st.one_of(edge, minute))


def _earliest_run_out(cal, begun: dt.datetime, value: int, unit: str) -> dt.datetime:
    """The earliest moment a limit started at `begun` (the clock's real start) can have run out, read day by
    day from the rule, independently of the calendar's arrays."""
    local = begun.astimezone(cal.tz)
    if unit == "wh":
        return cal.add_working_hours(begun, value).at
    day = local.date()
    if unit == "wd":
        n = 0
        while n < value:
            day += dt.timedelta(days=1)
            n += cal.is_working_day(day)
    else:
        day += dt.timedelta(days=value)
        while not cal.is_working_day(day):
            day += dt.timedelta(days=1)
    return cal.close_of(day)


@PROPS
@given(received=moments, accept_after=st.sampled_from([0, 1, 30, 60 * 9, 60 * 24, 60 * 72]),
       decide_after=st.integers(0, 60 * 24 * 12), value=st.integers(0, 8), unit=st.sampled_from(["wd", "d", "wh"]))
def test_no_case_decided_before_its_clock_could_run_out_is_overdue(calendar, received, accept_after, decide_after,
                                                                    value, unit):
    cal = get_calendar()
    accepted = received + dt.timedelta(minutes=accept_after)
    decided = accepted + dt.timedelta(minutes=decide_after)
    v = VersionInfo(1, dt.datetime(2020, 1, 1, tzinfo=TZ), value, unit, 20, "wd", "instant", False, ())
    out = compute_clock(cal, Facts(received_at=received, accepted_at=accepted, decision="completed",
                                   decision_at=decided, first_at=received), v, is_joint_parent=False)
    start = out["clock_start"]
    begun = cal.clock_start(start)
    assert begun >= start
    assert out["committed_deadline"] >= begun and out["statutory_deadline"] >= begun
    assert out["acceptance_due_at"] >= cal.clock_start(received)
    assert out["delivery_due_at"] >= cal.clock_start(decided)
    limit = _earliest_run_out(cal, begun, value, unit)
    assert out["committed_deadline"] == limit
    if decided <= limit:
        assert out["verdict"] in ("early", "on_time")
    else:
        assert out["verdict"] == "overdue"
    if out["verdict"] == "early" and unit == "wd":
        assert out["verdict_working_days"] <= value
    if value == 0 and unit != "wh":  # 即办件: any moment of the day its clock runs, up to the close, is in time
        assert out["committed_deadline"] == cal.close_of(begun.astimezone(cal.tz).date())
    # The array fast path (the recompute's) agrees wherever it applies.
    if unit == "wd":
        fast = fast_clock(cal, received_at=received, accepted_at=accepted, version=v, step_key="",
                          step_started=None)
        if fast is not None:
            general = compute_clock(cal, Facts(received_at=received, accepted_at=accepted), v,
                                    is_joint_parent=False, current_step=("", None))
            assert {k: general.get(k, []) for k in fast} == fast
