"""The unified disclosure day: the first Monday of the quarter, moved to the next working day (holidays, 调休),
or the office's own date. Expected dates checked by hand against the State Council's schedules (2024-2026) and
the provisional 2027 year of the holidays package (no make-up days)."""

from __future__ import annotations

import datetime as dt

import pytest

from xiaoneng.core.errors import DomainError
from xiaoneng.disclosure.days import computed_day, disclosure_day, disclosure_days, first_monday
from xiaoneng.disclosure.models import DisclosureDay
from xiaoneng.disclosure.services.check import disclosure_day_clear, disclosure_day_set
from xiaoneng.workdays.calendar import CalendarYearMissing

D = dt.date
NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))

# year, quarter → the day (why, when moved)
EXPECTED = {
    (2024, 1): D(2024, 1, 2),   # Mon 1 Jan is 元旦 → Tue 2 Jan
    (2024, 2): D(2024, 4, 1),   # Mon 1 Apr, 清明 is 4-6 Apr
    (2024, 3): D(2024, 7, 1),   # Mon 1 Jul
    (2024, 4): D(2024, 10, 8),  # Mon 7 Oct is the last day of 国庆 (1-7) → Tue 8 Oct
    (2025, 1): D(2025, 1, 6),   # 1 Jan a Wednesday → Mon 6 Jan
    (2025, 2): D(2025, 4, 7),   # 清明 Fri 4 - Sun 6 Apr; Mon 7 Apr works
    (2025, 3): D(2025, 7, 7),
    (2025, 4): D(2025, 10, 9),  # Mon 6 Oct inside 国庆+中秋 (1-8 Oct) → Thu 9 Oct
    (2026, 1): D(2026, 1, 5),   # 元旦 1-3 Jan, Sun 4 Jan a 调休 working day, but never "the first Monday"
    (2026, 2): D(2026, 4, 7),   # 清明 Sat 4 - Mon 6 Apr → Tue 7 Apr
    (2026, 3): D(2026, 7, 6),
    (2026, 4): D(2026, 10, 8),  # Mon 5 Oct inside 国庆 (1-7 Oct) → Thu 8 Oct
    (2027, 1): D(2027, 1, 4),
    (2027, 2): D(2027, 4, 6),   # 清明 falls on Mon 5 Apr 2027 → Tue 6 Apr
    (2027, 3): D(2027, 7, 5),
    (2027, 4): D(2027, 10, 6),  # provisional year: 国庆 1-3 Oct + substitute days Mon 4, Tue 5 → Wed 6 Oct
}


def test_first_monday():
    assert first_monday(2026, 1) == D(2026, 1, 5)
    assert first_monday(2024, 1) == D(2024, 1, 1)  # the quarter starts on a Monday
    assert first_monday(2026, 4) == D(2026, 10, 5)


@pytest.mark.parametrize(("key", "expected"), sorted(EXPECTED.items()))
def test_every_quarter_2024_2027(calendar, key, expected):
    assert disclosure_day(*key) == expected
    assert calendar.is_working_day(expected)


def test_the_issue_examples(calendar):
    assert disclosure_day(2026, 2) == D(2026, 4, 7)
    assert disclosure_day(2026, 4) == D(2026, 10, 8)
    days = disclosure_days(2026)
    assert [(d.quarter, d.date, d.moved, d.set_by_office) for d in days] == [
        (1, D(2026, 1, 5), False, False), (2, D(2026, 4, 7), True, False), (3, D(2026, 7, 6), False, False),
        (4, D(2026, 10, 8), True, False)]


def test_a_move_may_land_on_a_make_up_saturday(calendar):
    """A hand-made calendar: Mon 6 - Fri 10 July 2026 holidays, Sat 11 July a 调休 working day → Sat 11 July."""
    from xiaoneng.workdays.calendar import WorkCalendar

    days = [(D(2026, 7, 6) + dt.timedelta(days=i), "holiday", "测试假日") for i in range(5)]
    cal = WorkCalendar(years={2026: False}, days=[*days, (D(2026, 7, 11), "workday", "调休")])
    assert computed_day(2026, 3, cal) == (D(2026, 7, 11), D(2026, 7, 6))


def test_a_year_outside_the_calendar_is_an_error(calendar):
    with pytest.raises(CalendarYearMissing):
        disclosure_day(2031, 1)
    with pytest.raises(DomainError):
        disclosure_days(0)
    with pytest.raises(DomainError):
        disclosure_day(2026, 5)


def test_the_office_sets_and_clears_a_day(calendar, staff):
    sup = staff["supervisor"]
    disclosure_day_set(year=2026, quarter=3, date="2026-07-08", note="与县政府常务会议错开", now=NOW, by=sup)
    assert disclosure_day(2026, 3) == D(2026, 7, 8)
    d3 = disclosure_days(2026)[2]
    assert (d3.date, d3.computed, d3.set_by_office) == (D(2026, 7, 8), D(2026, 7, 6), True)
    assert disclosure_day_clear(year=2026, quarter=3, now=NOW, by=sup) == 1
    assert disclosure_day(2026, 3) == D(2026, 7, 6)


@pytest.mark.parametrize(("date", "note", "field"), [
    ("2026-07-11", "理由", "date"),       # a Saturday
    ("2026-10-01", "理由", "date"),       # 国庆
    ("2026-10-12", "理由", "date"),       # another quarter
    ("2026-13-01", "理由", "date"),
    ("2026-07-08", "", "note"),
    ("2026-07-08", "长" * 201, "note"),
])
def test_bad_days_are_refused_with_the_field(calendar, staff, date, note, field):
    with pytest.raises(DomainError) as exc:
        disclosure_day_set(year=2026, quarter=3, date=date, note=note, now=NOW, by=staff["supervisor"])
    assert exc.value.field == field
    assert not DisclosureDay.objects.exists()


def test_only_the_office_sets_a_day(calendar, staff):
    with pytest.raises(DomainError):
        disclosure_day_set(year=2026, quarter=3, date="2026-07-08", note="理由", now=NOW, by=staff["head"])
    assert not DisclosureDay.objects.exists()


def test_every_quarter_of_the_loaded_years_keeps_the_rule(calendar):
    """2020-2027: the day is a working day in its quarter, never before the first Monday, and every day between
    the first Monday and it is a day off (so it is the NEXT working day)."""
    for year in range(2020, 2028):
        for q in (1, 2, 3, 4):
            day, monday = computed_day(year, q)
            assert monday.weekday() == 0 and monday.day <= 7
            assert calendar.is_working_day(day) and monday <= day and (day.month - 1) // 3 + 1 == q
            d = monday
            while d < day:
                assert not calendar.is_working_day(d)
                d += dt.timedelta(days=1)
