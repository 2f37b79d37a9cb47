"""Public working-day arithmetic: /api/v1/workdays/… (no authentication; the calendar is public knowledge).

Malformed input is answered 422 by the shared validation handler (field named, Chinese message); input that
is well-formed but refused — too many days, end before start, a year not loaded — is a DomainError, 400.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.conf import settings
from ninja import Field, Router, Schema
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from xiaoneng.core.errors import DomainError
from xiaoneng.core.params import Day, Moment
from xiaoneng.workdays.calendar import get_calendar
from xiaoneng.workdays.selectors import calendar_year_list

router = Router(tags=["workdays"])


# Dates and moments are the platform's shared query types (xiaoneng.core.params): strict formats, so that every
# refusal reads in Chinese and "20260930" is not taken for a Unix timestamp (pydantic's lax mode would), and
# bounded years and UTC offsets, so that no conversion of them can overflow.
def _parse_unit(value):
    if value in ("wd", "d", "wh"):
        return value
    raise PydanticCustomError("unit_invalid", "时限单位应为 wd（工作日）、d（自然日）或 wh（工作小时）")


Unit = Annotated[Literal["wd", "d", "wh"], BeforeValidator(_parse_unit)]


class WorkdayOut(Schema):
    date: dt.date = Field(description="结果日期")
    provisional: bool = Field(description="所涉年度的放假安排是否为暂定（尚未正式公布）")


class BetweenOut(Schema):
    working_days: int = Field(description="开始日期（不含）至结束日期（含）之间的工作日数")
    provisional: bool


class DayOut(Schema):
    date: dt.date
    working_day: bool
    kind: Literal["holiday", "workday", "weekend", "weekday"] = Field(
        description="holiday 放假；workday 调休上班；weekend 普通周末；weekday 普通工作日"
    )
    name: str
    provisional: bool


class YearOut(Schema):
    year: int
    status: Literal["official", "provisional"]
    source: str
    loaded_at: dt.datetime
    holidays: int
    workdays: int


class SkippedOut(Schema):
    date: dt.date
    reason: str


class DeadlineOut(Schema):
    at: dt.datetime
    provisional: bool
    skipped: list[SkippedOut]
    explanation: str


def _check_span(value: int, field: str) -> None:
    limit = settings.XIAONENG_MAX_WORKDAYS
    if abs(value) > limit:
        raise DomainError(f"{field}: 天数的绝对值不能超过 {limit}。", field=field, code="too_large")


@router.get("/add", response=WorkdayOut, summary="日期加减工作日")
def add(request, start: Day, days: int):
    """The `days`-th working day after `start` (the day of start is day 0; 0 rolls forward to a working day;
    negative counts backwards)."""
    _check_span(days, "days")
    r = get_calendar().add_working_days(start, days)
    return {"date": r.date, "provisional": r.provisional}


@router.get("/between", response=BetweenOut, summary="两日期之间的工作日数")
def between(request, start: Day, end: Day):
    """Working days in (start, end]."""
    if end < start:
        raise DomainError("end: 结束日期不能早于开始日期。", field="end", code="end_before_start")
    if (end - start).days > settings.XIAONENG_MAX_WORKDAYS * 2:
        raise DomainError("end: 日期跨度过大。", field="end", code="too_large")
    r = get_calendar().working_days_between(start, end)
    return {"working_days": r.working_days, "provisional": r.provisional}


@router.get("/is-working-day", response=DayOut, summary="某日是否工作日")
def is_working_day(request, date: Day):
    info = get_calendar().day_info(date)
    return {"date": info.date, "working_day": info.working, "kind": info.kind, "name": info.name,
            "provisional": info.provisional}


@router.get("/deadline", response=DeadlineOut, summary="计算办理期限")
def deadline(request, start: Moment, value: int, unit: Unit = "wd"):
    """Due moment of a limit of `value` working days (wd), natural days (d) or working hours (wh) started at
    `start` (ISO 8601 with offset; without one, China Standard Time is assumed)."""
    _check_span(value, "value")
    if value < 0:
        raise DomainError("value: 时限不能为负数。", field="value")
    cal = get_calendar()
    if start.tzinfo is None:
        start = start.replace(tzinfo=cal.tz)
    dl = cal.deadline(start, value, unit)
    return {"at": dl.at, "provisional": dl.provisional, "explanation": dl.explanation,
            "skipped": [{"date": d, "reason": r} for d, r in dl.skipped]}


@router.get("/years", response=list[YearOut], summary="已载入的日历年度")
def years(request):
    return [
        {"year": y.year, "status": y.status, "source": y.source, "loaded_at": y.loaded_at,
         "holidays": y.holiday_count, "workdays": y.workday_count}
        for y in calendar_year_list()
    ]
