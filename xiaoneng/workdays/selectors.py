"""Reads on the calendar tables. The calendar is the same for everyone, so nothing here is scoped."""

from __future__ import annotations

import calendar as pycal
import datetime as dt

from django.db.models import Count, Q, QuerySet

from xiaoneng.workdays.models import CalendarDay, CalendarRevision, CalendarYear, OfficeHours

MONTH_NAMES = ("一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月", "十一月", "十二月")


def calendar_revision_get() -> int:
    """The stored revision (0 before the first change)."""
    value = CalendarRevision.objects.filter(pk=1).values_list("value", flat=True).first()
    return int(value or 0)


def office_hours_get() -> OfficeHours:
    """The office hours row, or the defaults (unsaved) when none was ever stored."""
    return OfficeHours.objects.filter(pk=1).first() or OfficeHours(pk=1)


def calendar_year_list() -> QuerySet[CalendarYear]:
    """Loaded years with their counts of holidays and make-up working days."""
    return CalendarYear.objects.select_related("loaded_by").annotate(
        holiday_count=Count("days", filter=Q(days__kind=CalendarDay.Kind.HOLIDAY)),
        workday_count=Count("days", filter=Q(days__kind=CalendarDay.Kind.WORKDAY)),
    ).order_by("year")


def calendar_year_get(year: int) -> CalendarYear | None:
    return CalendarYear.objects.select_related("loaded_by").filter(year=year).first()


def calendar_day_list(year: int) -> QuerySet[CalendarDay]:
    return CalendarDay.objects.filter(date__year=year).order_by("date")


def calendar_month_grid(year: int, days: list[CalendarDay]) -> list[dict]:
    """Twelve months of weeks (Monday first) for the staff year page; each cell says what the day is."""
    by_date = {d.date: d for d in days}
    months = []
    cal = pycal.Calendar(firstweekday=0)
    for month in range(1, 13):
        weeks = []
        for week in cal.monthdatescalendar(year, month):
            cells = []
            for d in week:
                if d.month != month:
                    cells.append(None)
                    continue
                entry = by_date.get(d)
                if entry is not None:
                    kind = entry.kind
                elif d.weekday() >= 5:
                    kind = "weekend"
                else:
                    kind = "weekday"
                cells.append({"date": d, "kind": kind, "name": entry.name if entry else ""})
            weeks.append(cells)
        months.append({"month": month, "name": MONTH_NAMES[month - 1], "weeks": weeks})
    return months


def calendar_years_expected(today: dt.date) -> list[int]:
    """Years a running platform needs: last year, this year and next year (limits cross year ends)."""
    return [today.year - 1, today.year, today.year + 1]
