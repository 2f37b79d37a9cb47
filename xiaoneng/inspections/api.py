"""明查暗访: the JSON API under /api/v1/.

`GET /api/v1/inspections/visits?department=&period=&limit=&offset=` — visits with their score and findings.
Staff sessions of the office, leaders and administrators see what selectors.visible_visits gives them; a
department system's token sees only its own department's published visits (a covert visit appears once the
office publishes its findings). Never the inspectors' names (an invited supervisor is not named to the
department it inspected).

`period`: a year (2026), a quarter (2026Q1) or a month (2026-03), in Asia/Shanghai.
"""

from __future__ import annotations

import datetime as dt
import re

from ninja import Field, Query, Router, Schema

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.auth import token_or_session
from xiaoneng.accounts.models import Department
from xiaoneng.core.errors import DomainError, NotPermitted
from xiaoneng.core.params import Limit, Offset
from xiaoneng.workdays.calendar import get_calendar

from . import selectors as S
from .models import Visit, VisitStatus

router = Router(tags=["明查暗访"], auth=token_or_session)

_PERIOD = re.compile(r"^(\d{4})(?:Q([1-4])|-(0[1-9]|1[0-2]))?$")


def parse_period(value: str | None) -> tuple[dt.datetime, dt.datetime] | None:
    """"2026", "2026Q1" or "2026-03" as [start, end) in the platform's time zone; DomainError on `period`."""
    if not value:
        return None
    m = _PERIOD.match(value.strip())
    if not m or not 2000 <= int(m.group(1)) <= 2100:
        raise DomainError("统计期间格式应为 2026、2026Q1 或 2026-03（2000—2100 年）。", field="period")
    year = int(m.group(1))
    tz = get_calendar().tz
    if m.group(2):
        q = int(m.group(2))
        start, end = dt.date(year, 3 * q - 2, 1), (dt.date(year + 1, 1, 1) if q == 4 else dt.date(year, 3 * q + 1, 1))
    elif m.group(3):
        month = int(m.group(3))
        start, end = dt.date(year, month, 1), (dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1))
    else:
        start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    return (dt.datetime.combine(start, dt.time(), tzinfo=tz), dt.datetime.combine(end, dt.time(), tzinfo=tz))


class VisitQuery(Schema):
    department: str = Field("", description="被检查部门编码（含下属单位）", max_length=32)
    period: str = Field("", description="统计期间：2026、2026Q1 或 2026-03", max_length=16)
    limit: Limit = 50
    offset: Offset = 0


class FindingOut(Schema):
    number: str
    item: str
    description: str
    correction: str
    correction_label: str
    correction_due_at: dt.datetime | None
    flag: str


class VisitOut(Schema):
    number: str
    department: str
    department_name: str
    mode: str
    mode_label: str
    visited_at: dt.datetime
    place: str
    score: float | None
    applicable_items: int
    failed_items: int
    status: str
    published: bool
    findings: list[FindingOut]


class VisitPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[VisitOut]


def _visible(request):
    client = getattr(request, "api_client", None)
    if client is not None:
        dept = client.department
        return Visit.objects.filter(department__path__startswith=dept.path, status=VisitStatus.ACCEPTED,
                                    published_at__isnull=False)
    user = request.auth
    if not user.has_any_role(R.SUPERVISOR, R.LEADER, R.ADMIN):
        raise NotPermitted("只有效能办、领导和系统管理员可以查询检查记录。")
    return S.visible_visits(user)


@router.get("/inspections/visits", response=VisitPage, summary="明查暗访检查记录（得分、发现问题）")
def visit_list(request, q: Query[VisitQuery]):
    """Visits newest first, filtered by `department` (code, its units included) and `period`; paginated."""
    qs = _visible(request)
    if q.department:
        dept = Department.objects.filter(code=q.department).first()
        if dept is None:
            raise DomainError("部门编码不存在。", field="department")
        qs = qs.filter(department__path__startswith=dept.path)
    period = parse_period(q.period)
    if period:
        qs = qs.filter(visited_at__gte=period[0], visited_at__lt=period[1])
    count = qs.count()
    visits = list(qs.select_related("department").prefetch_related("findings")
                  .order_by("-visited_at", "-id")[q.offset : q.offset + q.limit])
    items = [{
        "number": v.number, "department": v.department.code, "department_name": v.department.name, "mode": v.mode,
        "mode_label": v.get_mode_display(), "visited_at": v.visited_at, "place": v.place,
        "score": float(v.score) if v.score is not None else None, "applicable_items": v.applicable,
        "failed_items": v.failed, "status": v.status, "published": v.published_at is not None,
        "findings": [{"number": f.number, "item": f.item_name, "description": f.description,
                      "correction": f.correction, "correction_label": f.get_correction_display(),
                      "correction_due_at": f.correction_due_at, "flag": f.flag} for f in v.findings.all()],
    } for v in visits]
    return {"count": count, "limit": q.limit, "offset": q.offset, "items": items}

