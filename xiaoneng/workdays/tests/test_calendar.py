"""WorkCalendar arithmetic: named cases from the State Council notices, properties, hours, deadlines."""

from __future__ import annotations

import datetime as dt

import holidays
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xiaoneng.core.errors import DomainError
from xiaoneng.workdays.calendar import UNITS, CalendarYearMissing, WorkCalendar, get_calendar
from xiaoneng.workdays.tests.conftest import at

D = dt.date
PROPS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
dates_2020_2025 = st.dates(min_value=D(2020, 1, 1), max_value=D(2025, 12, 31))


# ------------------------------------------------------------------------------------------- named cases
def test_national_day_2026(calendar):
    for day in range(1, 8):
        assert not calendar.is_working_day(D(2026, 10, day)), f"2026-10-0{day} is a day off"
    assert calendar.is_working_day(D(2026, 9, 20))  # Sunday, make-up working day
    assert calendar.is_working_day(D(2026, 10, 10))  # Saturday, make-up working day
    assert calendar.is_working_day(D(2026, 10, 8))
    assert not calendar.is_working_day(D(2026, 10, 11))  # ordinary Sunday
    # Accepted on Wednesday 30 September: day 1 is Thursday 8 October.
    assert calendar.add_working_days(D(2026, 9, 30), 1).date == D(2026, 10, 8)
    assert calendar.add_working_days(D(2026, 9, 30), 2).date == D(2026, 10, 9)
    assert calendar.add_working_days(D(2026, 9, 30), 3).date == D(2026, 10, 10)  # the make-up Saturday
    assert calendar.add_working_days(D(2026, 9, 30), 4).date == D(2026, 10, 12)
    assert calendar.working_days_between(D(2026, 9, 30), D(2026, 10, 8)) == (1, False)
    assert calendar.working_days_between(D(2026, 9, 18), D(2026, 9, 21)) == (2, False)  # Sun 20 + Mon 21


def test_spring_festival_2026(calendar):
    # The package (2026 State Council notice): 15-23 February off; Saturdays 14 and 28 February working.
    off = [D(2026, 2, d) for d in range(15, 24)]
    assert all(not calendar.is_working_day(d) for d in off)
    assert calendar.is_working_day(D(2026, 2, 14))
    assert calendar.is_working_day(D(2026, 2, 28))
    assert calendar.is_working_day(D(2026, 2, 24))
    assert calendar.day_info(D(2026, 2, 17)).name == "春节"
    assert calendar.day_info(D(2026, 2, 16)).name == "农历除夕"
    assert calendar.day_info(D(2026, 2, 14)).kind == "workday"
    # Accepted Friday 13 February: Sat 14 is day 1, Tue 24 is day 2.
    assert calendar.add_working_days(D(2026, 2, 13), 1).date == D(2026, 2, 14)
    assert calendar.add_working_days(D(2026, 2, 13), 2).date == D(2026, 2, 24)
    assert calendar.working_days_between(D(2026, 2, 13), D(2026, 2, 28)) == CountResultTuple(6)


def CountResultTuple(n):  # noqa: N802 - reads like the NamedTuple it stands for
    return (n, False)


def test_add_zero_and_negative(calendar):
    assert calendar.add_working_days(D(2026, 10, 1), 0).date == D(2026, 10, 8)  # rolls forward
    assert calendar.add_working_days(D(2026, 10, 9), 0).date == D(2026, 10, 9)
    assert calendar.add_working_days(D(2026, 10, 8), -1).date == D(2026, 9, 30)
    assert calendar.add_working_days(D(2026, 10, 5), -1).date == D(2026, 9, 30)  # from a holiday
    assert calendar.add_working_days(D(2026, 9, 21), -1).date == D(2026, 9, 20)  # the make-up Sunday


def test_agrees_with_holidays_package_2020_2026(calendar):
    cn = holidays.country_holidays("CN", years=range(2020, 2027))
    d = D(2020, 1, 1)
    mismatches = []
    while d <= D(2026, 12, 31):
        if calendar.is_working_day(d) != cn.is_working_day(d):
            mismatches.append(d)
        d += dt.timedelta(days=1)
    assert mismatches == []


def test_provisional_2027(calendar):
    assert calendar.years[2027] is True and calendar.years[2026] is False
    assert calendar.add_working_days(D(2027, 3, 1), 5).provisional
    assert not calendar.add_working_days(D(2026, 3, 1), 5).provisional
    assert calendar.add_working_days(D(2026, 12, 25), 10).provisional  # crosses into 2027
    assert calendar.working_days_between(D(2026, 12, 1), D(2027, 1, 5)).provisional
    assert calendar.deadline(at(2027, 1, 4, 9), 3, "wd").provisional
    assert "暂定" in calendar.deadline(at(2027, 1, 4, 9), 3, "wd").explanation


def test_missing_year(calendar):
    with pytest.raises(CalendarYearMissing) as exc:
        calendar.add_working_days(D(2027, 12, 20), 30)
    assert exc.value.year == 2028
    assert "2028" in exc.value.message and "在“工作日历”页面导入 2028 年国务院办公厅公布的放假安排" in exc.value.message
    # Said in the office's words: no server command, no URL path (issue 10 §4).
    assert "xiaoneng" not in exc.value.message and "/staff/" not in exc.value.message
    assert isinstance(exc.value, DomainError) and exc.value.status == 400
    with pytest.raises(CalendarYearMissing, match="2019"):
        calendar.is_working_day(D(2019, 6, 1))
    with pytest.raises(CalendarYearMissing, match="2019"):
        calendar.add_working_days(D(2020, 1, 3), -5)
    with pytest.raises(CalendarYearMissing, match="2030"):
        calendar.working_days_between(D(2026, 1, 1), D(2030, 1, 1))
    with pytest.raises(CalendarYearMissing):
        calendar.deadline(at(2031, 1, 1, 9), 1, "wd")


def test_gap_year_is_missing_not_guessed():
    cal = WorkCalendar(years={2024: False, 2026: False}, days=[])
    assert cal.is_working_day(D(2024, 12, 31))
    with pytest.raises(CalendarYearMissing, match="2025"):
        cal.is_working_day(D(2025, 6, 2))
    with pytest.raises(CalendarYearMissing, match="2025"):
        cal.add_working_days(D(2024, 12, 20), 30)
    with pytest.raises(CalendarYearMissing, match="2025"):
        cal.working_days_between(D(2024, 12, 20), D(2026, 1, 5))
    with pytest.raises(CalendarYearMissing, match="2025"):
        cal.add_working_days(D(2026, 1, 5), -10)


def test_empty_calendar_reports_missing_year():
    cal = WorkCalendar(years={}, days=[])
    with pytest.raises(CalendarYearMissing, match="2026"):
        cal.add_working_days(D(2026, 5, 1), 1)


def test_between_rejects_reversed_range(calendar):
    with pytest.raises(DomainError) as exc:
        calendar.working_days_between(D(2026, 5, 2), D(2026, 5, 1))
    assert exc.value.field == "end"
    assert calendar.working_days_between(D(2026, 5, 1), D(2026, 5, 1)).working_days == 0


# ------------------------------------------------------------------------------------------- properties
@PROPS
@given(start=dates_2020_2025, n=st.integers(min_value=1, max_value=250))
def test_add_then_between_is_identity(calendar, start, n):
    r = calendar.add_working_days(start, n)
    assert r.date > start
    assert calendar.is_working_day(r.date)
    assert calendar.working_days_between(start, r.date).working_days == n
    # and the day before the result is still short of n
    assert calendar.working_days_between(start, r.date - dt.timedelta(days=1)).working_days == n - 1


@PROPS
@given(start=st.dates(min_value=D(2021, 1, 1), max_value=D(2027, 6, 30)), n=st.integers(min_value=1, max_value=250))
def test_negative_is_inverse_from_working_days(calendar, start, n):
    s = calendar.add_working_days(start, 0).date  # a working day
    back = calendar.add_working_days(s, -n)
    assert calendar.is_working_day(back.date)
    assert calendar.working_days_between(back.date, s).working_days == n
    assert calendar.add_working_days(back.date, n).date == s


@PROPS
@given(start=dates_2020_2025, n=st.integers(min_value=0, max_value=200), m=st.integers(min_value=0, max_value=200))
def test_add_is_monotonic(calendar, start, n, m):
    a, b = sorted((n, m))
    assert calendar.add_working_days(start, a).date <= calendar.add_working_days(start, b).date
    later = start + dt.timedelta(days=m % 30)
    assert calendar.add_working_days(start, n).date <= calendar.add_working_days(later, n).date


@PROPS
@given(a=dates_2020_2025, x=st.integers(0, 300), y=st.integers(0, 300))
def test_between_is_additive(calendar, a, x, y):
    b = a + dt.timedelta(days=x)
    c = b + dt.timedelta(days=y)
    total = calendar.working_days_between(a, c).working_days
    assert total == calendar.working_days_between(a, b).working_days + calendar.working_days_between(b, c).working_days
    naive = sum(calendar.is_working_day(a + dt.timedelta(days=k)) for k in range(1, x + y + 1))
    assert total == naive


hour_moments = st.builds(
    lambda d, minutes: dt.datetime.combine(d, dt.time(0), tzinfo=dt.timezone(dt.timedelta(hours=8)))
    + dt.timedelta(minutes=minutes),
    dates_2020_2025, st.integers(0, 24 * 60 - 1),
)


@PROPS
@given(start=hour_moments, hours=st.integers(1, 300))
def test_add_hours_then_between_is_identity(calendar, start, hours):
    r = calendar.add_working_hours(start, hours)
    assert r.at > start
    assert calendar.working_hours_between(start, r.at).hours == pytest.approx(hours)
    back = calendar.add_working_hours(r.at, -hours)
    assert calendar.working_hours_between(back.at, r.at).hours == pytest.approx(hours)


# ------------------------------------------------------------------------------------------- hours
def test_hours_across_lunch(calendar):
    # Tuesday 3 November 2026: 11:00 + 2 h = 1 h before lunch, 1 h after 13:30 → 14:30.
    assert calendar.add_working_hours(at(2026, 11, 3, 11), 2).at == at(2026, 11, 3, 14, 30)
    assert calendar.add_working_hours(at(2026, 11, 3, 11), 1).at == at(2026, 11, 3, 12)  # not 13:30
    assert calendar.add_working_hours(at(2026, 11, 3, 12, 30), 1).at == at(2026, 11, 3, 14, 30)  # from lunch
    assert calendar.working_hours_between(at(2026, 11, 3, 11), at(2026, 11, 3, 14)).hours == 1.5
    assert calendar.working_hours_between(at(2026, 11, 3, 8), at(2026, 11, 3, 19)).hours == 7


def test_hours_across_weekend_and_holiday(calendar):
    # Friday 6 November 2026 16:30 + 3 h: 1 h on Friday, then Monday 9:00 + 2 h = 11:00.
    assert calendar.add_working_hours(at(2026, 11, 6, 16, 30), 3).at == at(2026, 11, 9, 11)
    assert calendar.working_hours_between(at(2026, 11, 6, 16, 30), at(2026, 11, 9, 11)).hours == 3
    # A full working day ends at the close, not the next morning.
    assert calendar.add_working_hours(at(2026, 11, 9, 9), 7).at == at(2026, 11, 9, 17, 30)
    # Saturday start counts from Monday's opening.
    assert calendar.add_working_hours(at(2026, 11, 7, 10), 1).at == at(2026, 11, 9, 10)
    # Wednesday 30 September 2026 17:00 + 1 h → the National Day break → Thursday 8 October 9:30.
    assert calendar.add_working_hours(at(2026, 9, 30, 17), 1).at == at(2026, 10, 8, 9, 30)
    # UTC input works the same (01:00 UTC = 09:00 in Shanghai).
    utc = dt.datetime(2026, 11, 3, 1, 0, tzinfo=dt.UTC)
    assert calendar.add_working_hours(utc, 1).at == at(2026, 11, 3, 10)


def test_hours_reject_naive_datetimes(calendar):
    with pytest.raises(DomainError) as exc:
        calendar.add_working_hours(dt.datetime(2026, 11, 3, 9), 1)
    assert exc.value.field == "start"


# ------------------------------------------------------------------------------------------- deadlines
def test_deadline_working_days_ends_at_close(calendar):
    dl = calendar.deadline(at(2026, 9, 30, 10, 15), 5, "wd")
    assert dl.at == at(2026, 10, 13, 17, 30)
    assert not dl.provisional
    reasons = dict(dl.skipped)
    assert reasons[D(2026, 10, 1)] == "国庆节"
    assert reasons[D(2026, 10, 4)] == "国庆节"  # the Sunday inside the break takes the break's name
    assert reasons[D(2026, 10, 11)] == "星期日"
    assert D(2026, 10, 10) not in reasons  # the make-up Saturday was worked
    assert len(dl.skipped) == 8
    assert "国庆节 10月1日—10月7日" in dl.explanation
    assert "2026年10月13日" in dl.explanation and "17:30" in dl.explanation


def test_deadline_zero_working_days_is_today_or_next(calendar):
    assert calendar.deadline(at(2026, 11, 3, 10), 0, "wd").at == at(2026, 11, 3, 17, 30)
    dl = calendar.deadline(at(2026, 11, 7, 10), 0, "wd")  # Saturday
    assert dl.at == at(2026, 11, 9, 17, 30)
    assert [d for d, _ in dl.skipped] == [D(2026, 11, 7), D(2026, 11, 8)]


def test_deadline_natural_days_roll_forward(calendar):
    # 3 natural days from Monday 28 September 2026 land on 1 October (holiday) → Thursday 8 October.
    dl = calendar.deadline(at(2026, 9, 28, 9), 3, "d")
    assert dl.at == at(2026, 10, 8, 17, 30)
    assert len(dl.skipped) == 7
    assert "顺延" in dl.explanation
    # landing on a working day: no roll
    assert calendar.deadline(at(2026, 11, 2, 9), 7, "d").at == at(2026, 11, 9, 17, 30)
    assert calendar.deadline(at(2026, 11, 2, 9), 7, "d").skipped == []


def test_deadline_working_hours(calendar):
    dl = calendar.deadline(at(2026, 11, 6, 16, 30), 3, "wh")
    assert dl.at == at(2026, 11, 9, 11)
    assert [d for d, _ in dl.skipped] == [D(2026, 11, 7), D(2026, 11, 8)]
    assert "工作小时" in dl.explanation


def test_deadline_bad_input(calendar):
    with pytest.raises(DomainError) as exc:
        calendar.deadline(at(2026, 11, 6, 9), 3, "weeks")
    assert exc.value.field == "unit"
    with pytest.raises(DomainError) as exc:
        calendar.deadline(at(2026, 11, 6, 9), -1, "wd")
    assert exc.value.field == "value"
    with pytest.raises(DomainError):
        calendar.deadline(dt.datetime(2026, 11, 6, 9), 1, "wd")


def test_deadline_uses_local_date_of_utc_start(calendar):
    # 2026-10-07 20:00 UTC is already Thursday 8 October in Shanghai: day 0 is the 8th, day 1 the 9th.
    start = dt.datetime(2026, 10, 7, 20, 0, tzinfo=dt.UTC)
    assert calendar.deadline(start, 1, "wd").at == at(2026, 10, 9, 17, 30)


# ------------------------------------------------------------------------------------------- no queries
def test_arithmetic_makes_no_queries_once_built(calendar, django_assert_max_num_queries):
    cal = get_calendar()
    with django_assert_max_num_queries(0):
        for k in range(200):
            s = D(2021, 1, 1) + dt.timedelta(days=k * 7)
            r = cal.add_working_days(s, 20)
            cal.working_days_between(s, r.date)
            cal.is_working_day(s)
            dl = cal.deadline(at(s.year, s.month, s.day, 10), 20, "wd")
            dl.explanation  # noqa: B018 - the lazy part too
            cal.add_working_hours(at(s.year, s.month, s.day, 10), 30)
        assert get_calendar() is cal  # within the check interval the cache is served without a query


def test_add_working_days_many_equals_single_calls(calendar):
    import random

    rnd = random.Random(7)
    first, span = D(2020, 1, 1).toordinal(), (D(2027, 6, 30) - D(2020, 1, 1)).days
    starts = [D.fromordinal(first + rnd.randrange(span)) for _ in range(5000)]
    ns = [rnd.randint(1, 120) for _ in starts]
    assert calendar.add_working_days_many(starts, ns) == [calendar.add_working_days(s, n).date
                                                           for s, n in zip(starts, ns, strict=True)]
    # n ≤ 0 (roll forward, go back) takes the single calls: still the same answers.
    starts = [s for s in starts if s >= D(2020, 3, 1)]
    ns = [rnd.randint(-30, 0) for _ in starts]
    assert calendar.add_working_days_many(starts, ns) == [calendar.add_working_days(s, n).date
                                                           for s, n in zip(starts, ns, strict=True)]
    assert calendar.add_working_days_many([], []) == []
    with pytest.raises(ValueError):
        calendar.add_working_days_many([D(2026, 5, 6)], [1, 2])


def test_add_working_days_many_raises_like_single_calls(calendar):
    # A target past the loaded years, a start before them: the same CalendarYearMissing as one call.
    with pytest.raises(CalendarYearMissing, match="2028"):
        calendar.add_working_days_many([D(2026, 5, 6), D(2027, 12, 20)], [5, 30])
    with pytest.raises(CalendarYearMissing, match="2019"):
        calendar.add_working_days_many([D(2019, 12, 30)], [1])
    gap = WorkCalendar(years={2024: False, 2026: False}, days=[])
    assert gap.add_working_days_many([D(2024, 3, 1)], [3]) == [gap.add_working_days(D(2024, 3, 1), 3).date]
    with pytest.raises(CalendarYearMissing, match="2025"):
        gap.add_working_days_many([D(2024, 3, 1), D(2024, 12, 20)], [3, 30])


# ------------------------------------------------------------------ clocks that start outside office hours
# DOMAIN.md §4: a clock that starts outside office hours or on a non-working day starts at the next working
# day's opening, whatever its unit; an instant case (0 wd) is due at the close of the day its clock starts.
def test_instant_limit_started_after_the_close_is_due_the_next_working_day(calendar):
    # Tuesday 3 November 2026, 18:49: the office closed at 17:30. Before the fix the 0-wd deadline was that
    # day's 17:30 — an hour and a quarter before the clock started — so every such case was "overdue".
    dl = calendar.deadline(at(2026, 11, 3, 18, 49), 0, "wd")
    assert dl.at == at(2026, 11, 4, 17, 30)
    assert dl.clock_start == at(2026, 11, 4, 9) and dl.moved
    assert calendar.clock_start(at(2026, 11, 3, 18, 49)) == at(2026, 11, 4, 9)
    assert "不在办公时间内" in dl.explanation and "2026年11月4日（星期三） 09:00" in dl.explanation
    assert "（该日为第 0 日，不计入），时限 0 个工作日" in dl.explanation
    # The later limits count from that day too: 1 wd from Wednesday is Thursday.
    assert calendar.deadline(at(2026, 11, 3, 18, 49), 1, "wd").at == at(2026, 11, 5, 17, 30)
    # Friday 6 November 18:49: day 0 is Monday 9 November.
    assert calendar.deadline(at(2026, 11, 6, 18, 49), 0, "wd").at == at(2026, 11, 9, 17, 30)
    assert calendar.deadline(at(2026, 11, 6, 18, 49), 5, "wd").at == at(2026, 11, 16, 17, 30)


def test_clock_started_on_a_saturday_starts_monday(calendar):
    # Saturday 7 November 2026: day 0 is Monday 9, so 1 wd is Tuesday 10 (before the fix: Monday 9).
    dl = calendar.deadline(at(2026, 11, 7, 10), 1, "wd")
    assert dl.at == at(2026, 11, 10, 17, 30)
    assert dl.clock_start == at(2026, 11, 9, 9)
    assert [d for d, _ in dl.skipped] == [D(2026, 11, 7), D(2026, 11, 8)]
    assert "周末 11月7日—11月8日" in dl.explanation
    assert calendar.deadline(at(2026, 11, 7, 10), 0, "wd").at == at(2026, 11, 9, 17, 30)
    assert calendar.deadline(at(2026, 11, 8, 23, 59), 5, "wd").at == at(2026, 11, 16, 17, 30)


def test_clock_started_on_a_holiday_starts_after_it_and_make_up_days_count(calendar):
    # Saturday 3 October 2026 (National Day): day 0 is Thursday 8 October, 1 wd is Friday 9 (before: 8).
    assert calendar.deadline(at(2026, 10, 3, 10), 1, "wd").at == at(2026, 10, 9, 17, 30)
    assert calendar.clock_start(at(2026, 10, 3, 10)) == at(2026, 10, 8, 9)
    # Friday 9 October after the close: the next working day is the make-up Saturday 10 October (调休).
    assert calendar.deadline(at(2026, 10, 9, 19), 0, "wd").at == at(2026, 10, 10, 17, 30)
    assert calendar.clock_start(at(2026, 10, 9, 19)) == at(2026, 10, 10, 9)
    # The make-up Saturday itself is a working day: a clock started on it in office hours starts at once.
    assert calendar.clock_start(at(2026, 10, 10, 10)) == at(2026, 10, 10, 10)
    assert calendar.deadline(at(2026, 10, 10, 10), 1, "wd").at == at(2026, 10, 12, 17, 30)
    # Wednesday 30 September after the close: the whole break is skipped, day 0 is 8 October.
    dl = calendar.deadline(at(2026, 9, 30, 20), 0, "wd")
    assert dl.at == at(2026, 10, 8, 17, 30) and "国庆节 10月1日—10月7日" in dl.explanation


def test_clock_start_at_the_edges_of_office_hours(calendar):
    # Exactly at the opening and exactly at the close the office is open: the clock starts then (a
    # deadline is a close, and thresholds counted on from it must count from its own day).
    assert calendar.clock_start(at(2026, 11, 3, 9)) == at(2026, 11, 3, 9)
    assert calendar.clock_start(at(2026, 11, 3, 17, 30)) == at(2026, 11, 3, 17, 30)
    assert calendar.deadline(at(2026, 11, 3, 17, 30), 0, "wd").at == at(2026, 11, 3, 17, 30)
    assert calendar.deadline(at(2026, 11, 3, 17, 30), 1, "wd").at == at(2026, 11, 4, 17, 30)
    # One microsecond after the close is outside.
    late = at(2026, 11, 3, 17, 30) + dt.timedelta(microseconds=1)
    assert calendar.clock_start(late) == at(2026, 11, 4, 9)
    assert calendar.deadline(late, 0, "wd").at == at(2026, 11, 4, 17, 30)
    # Before the opening: that day's opening, day 0 stays that day.
    assert calendar.clock_start(at(2026, 11, 3, 7, 15)) == at(2026, 11, 3, 9)
    assert calendar.deadline(at(2026, 11, 3, 7, 15), 0, "wd").at == at(2026, 11, 3, 17, 30)
    # In the lunch break: the afternoon opening; the noon close of the morning still belongs to it.
    assert calendar.clock_start(at(2026, 11, 3, 12, 30)) == at(2026, 11, 3, 13, 30)
    assert calendar.clock_start(at(2026, 11, 3, 12)) == at(2026, 11, 3, 12)
    # UTC input: 2026-11-03 10:49 UTC is 18:49 in Shanghai.
    assert calendar.clock_start(dt.datetime(2026, 11, 3, 10, 49, tzinfo=dt.UTC)) == at(2026, 11, 4, 9)


def test_working_hour_limits_start_at_the_next_opening(calendar):
    # A 0-hour limit started after the close was due at the start itself (18:49), before the clock began.
    dl = calendar.deadline(at(2026, 11, 3, 18, 49), 0, "wh")
    assert dl.at == at(2026, 11, 4, 9) and dl.clock_start == at(2026, 11, 4, 9)
    assert "不在办公时间内" in dl.explanation
    assert calendar.deadline(at(2026, 11, 3, 18, 49), 2, "wh").at == at(2026, 11, 4, 11)
    assert calendar.deadline(at(2026, 11, 3, 12, 30), 0, "wh").at == at(2026, 11, 3, 13, 30)
    assert calendar.deadline(at(2026, 11, 3, 12, 30), 1, "wh").at == at(2026, 11, 3, 14, 30)
    assert calendar.deadline(at(2026, 11, 7, 10), 1, "wh").at == at(2026, 11, 9, 10)  # Saturday


def test_natural_day_limits_start_at_the_next_opening_too(calendar):
    # DOMAIN.md §4 says "whatever its unit": natural days count from the day the clock starts. A 0-d limit
    # started Friday 6 November 18:49 was due at 17:30 that Friday, before it began.
    dl = calendar.deadline(at(2026, 11, 6, 18, 49), 0, "d")
    assert dl.at == at(2026, 11, 9, 17, 30) and dl.clock_start == at(2026, 11, 9, 9)
    # 7 d from Monday 9 (not from Friday 6, which gave Friday 13).
    assert calendar.deadline(at(2026, 11, 6, 18, 49), 7, "d").at == at(2026, 11, 16, 17, 30)
    # In office hours nothing changes.
    assert calendar.deadline(at(2026, 11, 6, 10), 7, "d").at == at(2026, 11, 13, 17, 30)


# The property: for any start moment and limit, the deadline is never before the moment the clock really
# starts, that moment is inside office hours of a working day, and both equal a plain day-by-day reading
# of the rule (written here independently of the arrays).
INTERESTING_DAYS = [D(2026, 9, 20), D(2026, 9, 30), *[D(2026, 10, d) for d in range(1, 13)],
                    *[D(2026, 2, d) for d in range(13, 25)], D(2026, 2, 28), D(2025, 12, 31), D(2026, 1, 1)]
edge_times = st.sampled_from([dt.time(0), dt.time(7, 15), dt.time(9), dt.time(10, 30), dt.time(12),
                              dt.time(12, 0, 0, 1), dt.time(12, 30), dt.time(13, 30), dt.time(17, 29, 59),
                              dt.time(17, 30), dt.time(17, 30, 0, 1), dt.time(18, 49), dt.time(23, 59, 59)])
any_time = st.builds(lambda m, us: (dt.datetime.min + dt.timedelta(minutes=m, microseconds=us)).time(),
                     st.integers(0, 24 * 60 - 1), st.integers(0, 59_999_999))
start_moments = st.builds(
    lambda d, t: dt.datetime.combine(d, t, tzinfo=dt.timezone(dt.timedelta(hours=8))),
    st.one_of(st.dates(min_value=D(2020, 1, 2), max_value=D(2026, 10, 31)), st.sampled_from(INTERESTING_DAYS)),
    st.one_of(edge_times, any_time),
)


def _reference_start(cal, start: dt.datetime) -> dt.datetime:
    local = start.astimezone(cal.tz)
    day = local.date()
    if cal.is_working_day(day) and local.time() <= cal.close_time:
        for a, b in cal.periods:
            if local.time() < a:
                return dt.datetime.combine(day, a, tzinfo=cal.tz)
            if local.time() <= b:
                return local
    day += dt.timedelta(days=1)
    while not cal.is_working_day(day):
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, cal.open_time, tzinfo=cal.tz)


def _reference_due(cal, begun: dt.datetime, value: int, unit: str) -> dt.datetime:
    day = begun.date()
    if unit == "wd":
        counted = 0
        while counted < value:
            day += dt.timedelta(days=1)
            counted += cal.is_working_day(day)
    else:
        day += dt.timedelta(days=value)
        while not cal.is_working_day(day):
            day += dt.timedelta(days=1)
    return dt.datetime.combine(day, cal.close_time, tzinfo=cal.tz)


@PROPS
@given(start=start_moments, value=st.integers(0, 60), unit=st.sampled_from(UNITS))
def test_deadline_never_before_the_clock_starts(calendar, start, value, unit):
    dl = calendar.deadline(start, value, unit)
    begun = dl.clock_start
    assert begun == _reference_start(calendar, start) == calendar.clock_start(start)
    assert start <= begun <= dl.at
    local = begun.astimezone(calendar.tz)
    assert calendar.is_working_day(local.date())
    assert any(a <= local.time() <= b for a, b in calendar.periods)
    if unit == "wh":
        assert calendar.working_hours_between(begun, dl.at).hours == pytest.approx(value)
    else:
        assert dl.at == _reference_due(calendar, local, value, unit)
        # A decision at any moment of the day the clock starts, up to its close, is within a 0 limit.
        assert dl.at >= calendar.close_of(local.date())
    # Starting later never makes the limit fall earlier.
    assert calendar.deadline(begun, value, unit).at == dl.at
