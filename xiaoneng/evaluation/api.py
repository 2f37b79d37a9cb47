"""效能考核: the JSON API under /api/v1/ — rankings and score breakdowns (issue 13 §2).

Authentication and errors as the rest of the API (accounts.auth.token_or_session, core.api_errors). What the
caller reads is the PUBLISHED revision of the period (drafts are the office's, on its pages):
- supervisors and leaders: the ranking and every department's breakdown;
- a department's head, or a department system's token: the published ranking, and its own department's
  breakdown (another department's answers 404, exactly like one that does not exist);
- every other role: 403.
Bad input is a 400 naming the field in Chinese ("period", "group"); figures are JSON numbers.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from ninja import Field, Query, Router, Schema

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.auth import token_or_session
from xiaoneng.core.errors import DomainError, NotFound, NotPermitted
from xiaoneng.core.periods import Period

from . import selectors as S
from .models import DepartmentGroup, LineKind, Score

router = Router(tags=["效能考核"], auth=token_or_session)


def _num(d: Decimal | None) -> float | None:
    return None if d is None else float(d)


class VetoOut(Schema):
    code: str
    name: str
    count: int
    threshold: int
    text: str


class RankingRow(Schema):
    department: str = Field(description="单位编码")
    department_name: str
    group: str = Field(description="考核分组编码")
    group_name: str
    score: float = Field(description="总分")
    rank: int = Field(description="名次：指定 group 时为组内名次，否则为总名次")
    rank_in_group: int
    rank_overall: int
    grade: str = Field(description="等次：excellent 优秀、good 良好、pass 合格、fail 不合格")
    grade_label: str
    veto: VetoOut | None = Field(None, description="一票否决（未触发为 null）")
    flags: list[str] = Field(description="提示，如样本较少")
    small_sample: bool


class RankingOut(Schema):
    period: str
    period_label: str
    revision: int
    published_at: dt.datetime
    group: str | None
    count: int
    rows: list[RankingRow]


class IndicatorOut(Schema):
    code: str
    name: str
    weight: float | None = Field(description="方案设定的分值")
    effective_weight: float | None = Field(description="按比例折算后的分值（不计分时为 null）")
    value: float | None
    numerator: float | None
    denominator: float | None
    low: float | None = Field(description="95% 置信区间下限（比率类指标）")
    high: float | None
    points: float
    scored: bool
    flags: list[str]


class AdjustmentOut(Schema):
    code: str
    name: str
    units: float | None = Field(description="数量")
    points_each: float | None = Field(description="每项分值")
    points: float
    flags: list[str]


class ScoreOut(Schema):
    department: str
    department_name: str
    period: str
    period_label: str
    group: str
    group_name: str
    score: float
    base_points: float
    deductions_total: float
    bonuses_total: float
    grade: str
    grade_label: str
    rank: int = Field(description="组内名次")
    rank_overall: int
    group_size: int
    revision: int
    indicators: list[IndicatorOut]
    deductions: list[AdjustmentOut]
    bonuses: list[AdjustmentOut]
    veto: VetoOut | None
    flags: list[str]


def _veto(v: dict | None) -> dict | None:
    if not v:
        return None
    return {"code": str(v.get("code", "")), "name": str(v.get("name", "")), "count": int(v.get("count") or 0),
            "threshold": int(v.get("threshold") or 0), "text": str(v.get("text", ""))}


def _reader(request):
    """(department system, staff): exactly one is set. Staff without a reading role → 403."""
    client = getattr(request, "api_client", None)
    if client is not None:
        return client, None
    staff = request.auth
    if not S.can_read_rankings(staff):
        raise NotPermitted("只有效能办、领导和部门负责人可以查看考核结果。")
    return None, staff


def _period(raw: str) -> Period:
    if not raw:
        raise DomainError("缺少考核期（period），例如 2026Q3。", field="period", code="missing")
    return Period.parse(raw)


def _published(p: Period):
    ev = S.latest_published(p)
    if ev is None:
        raise NotFound(f"{p.label}尚无已发布的考核结果。", field="period")
    return ev


class RankingQuery(Schema):
    period: str = Field("", max_length=16, description="考核期：2026-07、2026Q3、2026H2、2026")
    group: str = Field("", max_length=32, description="考核分组编码（如 bureaus）；不填为总排名")


@router.get("/rankings", response=RankingOut, summary="考核排名（已发布）")
def rankings(request, q: Query[RankingQuery]):
    """The published ranking of a period, ordered by rank: overall, or within `group` (then `rank` is the rank
    in the group). 404 when the period has no published evaluation; 400 for a bad period or an unknown group."""
    _reader(request)
    p = _period(q.period.strip())
    group = q.group.strip()
    if group and not DepartmentGroup.objects.filter(code=group).exists():
        raise DomainError(f"考核分组“{group[:32]}”不存在。", field="group", code="unknown_group")
    ev = _published(p)
    rows = [{
        "department": s.department.code, "department_name": s.department.name, "group": s.group_code,
        "group_name": s.group_name, "score": float(s.score), "rank": s.rank if group else s.rank_overall,
        "rank_in_group": s.rank, "rank_overall": s.rank_overall, "grade": s.grade,
        "grade_label": str(s.get_grade_display()), "veto": _veto(s.veto), "flags": list(s.flags or []),
        "small_sample": s.small_sample,
    } for s in S.ranking(ev, group=group or None)]
    return {"period": ev.period, "period_label": ev.period_label, "revision": ev.revision,
            "published_at": timezone.localtime(ev.published_at), "group": group or None, "count": len(rows),
            "rows": rows}


def _adjustment(ln) -> dict:
    return {"code": ln.code, "name": ln.name, "units": _num(ln.units), "points_each": _num(ln.weight),
            "points": float(ln.points), "flags": list(ln.flags or [])}


@router.get("/scores/{department}/{period}", response=ScoreOut, summary="单位考核得分明细（已发布）")
def score_detail(request, department: str, period: str):
    """A department's published score of a period opened: indicators (numerator, denominator, value, weights,
    points, flags), deductions, bonuses and the veto. A head or a department token reads its own department
    only (another's answers 404)."""
    client, staff = _reader(request)
    p = _period(period.strip()[:16])
    ev = _published(p)
    score = (Score.objects.select_related("department").filter(evaluation=ev, department__code=department[:32])
             .first())
    if score is not None:
        if client is not None:
            own = client.department
            ok = score.department.path.startswith(own.path)
        else:
            ok = S.sees_all(staff) or (staff.has_any_role(R.HEAD) and staff.department_id is not None
                                       and score.department.path.startswith(staff.department.path))
        if not ok:
            score = None
    if score is None:
        raise NotFound(f"单位“{department[:32]}”在{p.label}没有考核得分，或不在您的权限范围内。", field="department")
    lines = list(score.lines.all())
    return {
        "department": score.department.code, "department_name": score.department.name, "period": ev.period,
        "period_label": ev.period_label, "group": score.group_code, "group_name": score.group_name,
        "score": float(score.score), "base_points": float(score.base_points),
        "deductions_total": float(score.deductions), "bonuses_total": float(score.bonuses), "grade": score.grade,
        "grade_label": str(score.get_grade_display()), "rank": score.rank, "rank_overall": score.rank_overall,
        "group_size": score.group_size, "revision": ev.revision,
        "indicators": [{
            "code": ln.code, "name": ln.name, "weight": _num(ln.weight), "effective_weight": _num(ln.effective_weight),
            "value": _num(ln.value), "numerator": _num(ln.numerator), "denominator": _num(ln.denominator),
            "low": _num(ln.low), "high": _num(ln.high), "points": float(ln.points), "scored": ln.scored,
            "flags": list(ln.flags or []),
        } for ln in lines if ln.kind == LineKind.INDICATOR],
        "deductions": [_adjustment(ln) for ln in lines if ln.kind == LineKind.DEDUCTION],
        "bonuses": [_adjustment(ln) for ln in lines if ln.kind == LineKind.BONUS],
        "veto": _veto(score.veto), "flags": list(score.flags or []),
    }
