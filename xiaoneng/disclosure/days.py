"""The unified disclosure day (统一公开日) of each quarter: the office's own date when it set one (`DisclosureDay`),
else the first Monday of the quarter moved to the next working day of the workdays calendar when it is not one
(holidays and 调休: 2026 Q2 → 2026-04-07 after 清明, Q4 → 2026-10-08 after 国庆). A make-up Saturday (调休) is a
working day, so a move may land on one; it is never taken for "the first Monday" (that is the calendar's Monday).

A year the calendar has not loaded is an error naming the year (CalendarYearMissing), never a guess.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from xiaoneng.core.errors import DomainError
from xiaoneng.workdays.calendar import CalendarYearMissing, get_calendar

from .models import DisclosureDay

QUARTERS = (1, 2, 3, 4)


@dataclass(frozen=True)
class DayOfQuarter:
    """One quarter's disclosure day: `computed` is the rule's date, `date` the one in force (the office's if set);
    `moved` says the rule's first Monday was not a working day."""

    year: int
    quarter: int
    date: dt.date
    computed: dt.date
    first_monday: dt.date
    moved: bool
    set_by_office: bool
    note: str = ""


def first_monday(year: int, quarter: int) -> dt.date:
    """The first Monday on or after the quarter's first day."""
    start = dt.date(year, 3 * (quarter - 1) + 1, 1)
    return start + dt.timedelta(days=(7 - start.weekday()) % 7)


def _check_year(year, quarter=None) -> None:
    if not isinstance(year, int) or not 1 <= year <= 9999:
        raise DomainError("年度无效。", field="year")
    if quarter is not None and quarter not in QUARTERS:
        raise DomainError("季度须为 1-4。", field="quarter")


def computed_day(year: int, quarter: int, cal=None) -> tuple[dt.date, dt.date]:
    """(the rule's date, the first Monday): the first Monday, or the next working day after it."""
    _check_year(year, quarter)
    cal = cal or get_calendar()
    monday = first_monday(year, quarter)
    day = monday
    for _i in range(60):  # the longest break is far shorter; a calendar with none is an error below
        if not cal.covers(day):
            raise CalendarYearMissing(day.year, field="year")
        if cal.is_working_day(day):
            return day, monday
        day += dt.timedelta(days=1)
    raise DomainError(f"{year}年第{quarter}季度首个星期一之后60天内没有工作日，请检查工作日历。", field="year")


def disclosure_days(year: int) -> list[DayOfQuarter]:
    """The four disclosure days of `year` (one query for the office's overrides)."""
    _check_year(year)
    cal = get_calendar()
    overrides = {d.quarter: d for d in DisclosureDay.objects.filter(year=year)}
    out = []
    for q in QUARTERS:
        comp, monday = computed_day(year, q, cal)
        o = overrides.get(q)
        out.append(DayOfQuarter(year, q, o.date if o else comp, comp, monday, comp != monday, o is not None,
                                o.note if o else ""))
    return out


def disclosure_day(year: int, quarter: int) -> dt.date:
    """The date of one quarter's unified disclosure day (the override if set, else the computed one)."""
    _check_year(year, quarter)
    o = DisclosureDay.objects.filter(year=year, quarter=quarter).values_list("date", flat=True).first()
    if o is not None:
        return o
    return computed_day(year, quarter)[0]


def quarter_of(date: dt.date) -> int:
    return (date.month - 1) // 3 + 1


def day_for_date(date: dt.date) -> DayOfQuarter | None:
    """The disclosure day `date` is, or None. An override may fall outside its quarter's first weeks but stays in
    its quarter's year; both this year's and next year's first quarter are looked at (an override of Q1 could
    not be in December, but a moved Q4 of a year can never leave it)."""
    for d in disclosure_days(date.year):
        if d.date == date:
            return d
    return None


def quarter_just_ended(year: int, quarter: int) -> tuple[int, int]:
    """The quarter a disclosure day looks back on (the one before it)."""
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)
