"""/api/v1/disclosure/days and /api/v1/disclosure/checks/{date}: the unified disclosure days of a year (public)
and one day's check, per department (published checks public; a draft only for the office's sessions —
supervisors and leaders; anyone else is answered as for a day without a check: 404). Bad input is a 4xx JSON
naming the field in Chinese."""

from __future__ import annotations

import datetime as dt
import re

from ninja import Router, Schema

from xiaoneng.core.errors import DomainError, NotFound

from . import selectors_check as S
from .days import disclosure_days

router = Router(tags=["政务公开"])


class DayOut(Schema):
    quarter: int
    date: dt.date
    moved: bool
    set_by_office: bool


class DaysOut(Schema):
    year: int
    days: list[DayOut]


class LineOut(Schema):
    department: str
    department_name: str
    due: int
    published: int
    missing: int
    stale: int
    compliance: float | None
    catalogue_filed: bool
    catalogue_late: bool


class CheckOut(Schema):
    date: dt.date
    status: str
    number: str
    rectify_due_at: dt.datetime
    departments: list[LineOut]


def _year(raw: str | None) -> int:
    text = (raw or "").strip()
    if not re.fullmatch(r"[0-9]{4}", text):
        raise DomainError("year: 年度应为四位数字，例如 2026。", field="year")
    return int(text)


@router.get("/disclosure/days", response=DaysOut, auth=None, url_name="disclosure_days",
            summary="某年度的统一公开日")
def days(request, year: str | None = None):
    """The four unified disclosure days of `year`: the first Monday of each quarter, moved to the next working
    day when it is not one, or the office's own date (`set_by_office`). A year the working-day calendar has not
    loaded is a 400 naming it."""
    y = _year(year)
    try:
        out = disclosure_days(y)
    except DomainError as exc:
        raise DomainError(f"year: {exc.message}", field="year") from exc
    return {"year": y, "days": [{"quarter": d.quarter, "date": d.date, "moved": d.moved,
                                 "set_by_office": d.set_by_office} for d in out]}


@router.get("/disclosure/checks/{date}", response=CheckOut, auth=None, url_name="disclosure_check",
            summary="统一公开日检查结果")
def check(request, date: str):
    """One disclosure day's check: per department the items due, published, missing and stale and the
    compliance (published ÷ due, null when nothing was due). Published checks are public; a draft is the
    office's only."""
    try:
        day = dt.date.fromisoformat(date[:10]) if len(date) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise DomainError("date: 日期格式应为 YYYY-MM-DD，例如 2026-10-08。", field="date")
    c = S.check_get_for(request.user, day, public=True)
    if c is None:
        raise NotFound("该日没有统一公开日检查结果。")
    return {"date": c.date, "status": c.status, "number": c.number, "rectify_due_at": c.rectify_due_at,
            "departments": [{"department": ln.department.code, "department_name": ln.department.name, "due": ln.due,
                             "published": ln.published, "missing": ln.missing, "stale": ln.stale,
                             "compliance": float(ln.compliance) if ln.compliance is not None else None,
                             "catalogue_filed": ln.catalogue_filed, "catalogue_late": ln.catalogue_late}
                            for ln in S.check_lines(c)]}
