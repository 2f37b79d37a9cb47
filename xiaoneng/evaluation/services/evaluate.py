"""Evaluating a period (考核计算): every evaluated department's indicators, deductions, bonuses, veto, score, grade
and ranks, stored as a draft; publishing freezes it; a correction after publication is a new revision.

The rules, in the order the engine applies them (printed on the pages as `RULES`):
- Who is evaluated: active departments of the kinds some ranking group lists (县直部门, 乡镇（街道）, 服务中心 by
  default); sections and villages roll up into the evaluated department above them.
- Indicator points = weight′ × clamp((value − floor) ÷ (target − floor), 0, 1), where weight′ is the weight
  scaled so the weights of the indicators the department was scored on sum to the scheme's total: an indicator
  with no data for the department (no cases of that kind) or no source yet (政务公开) is not scored and its
  weight goes to the others pro rata (shown). A department scored on nothing gets 0 and is marked.
- Deductions and bonuses: units × points each, at most the cap; the score is indicators − deductions + bonuses,
  never below 0. Each line is rounded to 0.01 (half up) and the score is the sum of the rounded lines, so the
  breakdown always adds up.
- A veto whose count reaches its threshold fails the department (不合格) whatever its score.
- Rates over fewer than the scheme's minimum sample are flagged (样本较少) with their Wilson 95% interval; the
  department is marked, not dropped.
- Ranks, within each group and overall: vetoed departments last, then those with no data; otherwise by score
  (high first), then fewer deduction points, then more indicator points, then the department code. Every rank
  is distinct and the same data always gives the same ranks.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from xiaoneng.accounts.models import Department
from xiaoneng.core.errors import DomainError
from xiaoneng.core.periods import Period

from .. import indicators as reg
from ..models import (
    AdjustmentKind,
    DepartmentGroup,
    Evaluation,
    EvaluationStatus,
    Grade,
    GroupMember,
    LineKind,
    Scheme,
    Score,
    ScoreLine,
)
from .schemes import scheme_for

D = Decimal
CENT = D("0.01")
RULES = (
    "指标得分 = 折算分值 × 完成度；完成度 = (实际值 − 起评值) ÷ (目标值 − 起评值)，低于起评值得0，达到目标值得满分。",
    "单位本期没有某类数据（如无办结办件）或该指标尚未接入数据的，该指标不计分，其分值按比例折算到其他指标。",
    "扣分、加分按项目计算，设有上限的不超过上限；总分 = 指标得分 − 扣分 + 加分，最低为0分。",
    "触发一票否决的单位，不论得分，等次均为不合格。",
    "比率类指标的样本数少于最少样本数的，标注“样本较少”，并列出95%置信区间（Wilson 区间）。",
    "名次：一票否决的单位排在最后；其余按总分从高到低，同分时扣分少者在前，仍相同时指标得分高者在前，再按单位编码。",
)

# The groups shipped (configurable on the groups page): which department kinds each ranks.
DEFAULT_GROUPS = (
    ("bureaus", "县直部门", [Department.Kind.BUREAU]),
    ("townships", "乡镇（街道）", [Department.Kind.TOWNSHIP]),
    ("windows", "窗口单位", [Department.Kind.CENTRE]),
)


def groups_ensure_default() -> None:
    if not DepartmentGroup.objects.exists():
        DepartmentGroup.objects.bulk_create([DepartmentGroup(code=c, name=n, kinds=[str(k) for k in kinds], position=i)
                                             for i, (c, n, kinds) in enumerate(DEFAULT_GROUPS)])


def q2(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


def wilson(k: Decimal, n: Decimal, z: float = 1.96) -> tuple[Decimal, Decimal] | None:
    """The Wilson score interval (95%) of k successes in n trials, rounded to 4 places; None when n is 0."""
    if not n:
        return None
    k, n = float(k), float(n)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (D(max(0.0, centre - half)).quantize(D("0.0001")), D(min(1.0, centre + half)).quantize(D("0.0001")))


def curve(value: Decimal, floor: Decimal, target: Decimal) -> Decimal:
    """The share of an indicator's points earned: linear from floor (0) to target (1), capped at both ends; the
    same formula serves indicators where lower is better (their floor lies above the target)."""
    f = (value - floor) / (target - floor)
    return max(D(0), min(D(1), f))


@dataclass
class Placement:
    """Who is evaluated and where each ranks: the evaluated departments, their groups, and how every department
    below them rolls up."""

    departments: list
    group_of: dict  # department id → DepartmentGroup
    owner_of: dict[int, int]


def placement() -> Placement:
    groups_ensure_default()
    groups = list(DepartmentGroup.objects.all())
    by_kind = {}
    for g in groups:
        for k in g.kinds or []:
            by_kind.setdefault(k, g)
    explicit = {m.department_id: m.group for m in GroupMember.objects.select_related("group")}
    all_depts = list(Department.objects.filter(is_active=True).order_by("code"))
    evaluated, group_of = [], {}
    for d in all_depts:
        g = explicit.get(d.pk) or by_kind.get(d.kind)
        if g is not None:
            evaluated.append(d)
            group_of[d.pk] = g
    ids = {d.pk for d in evaluated}
    owner_of = {}
    for d in all_depts:
        chain = [int(x) for x in d.path.strip("/").split("/") if x]
        for anc in reversed(chain):
            if anc in ids:
                owner_of[d.pk] = anc
                break
    return Placement(evaluated, group_of, owner_of)


@dataclass
class Result:
    """One department's computed result before it is stored (also what the bench and the property tests read)."""

    department: object
    group: object
    lines: list = field(default_factory=list)  # ScoreLine instances, unsaved
    base_points: Decimal = D(0)
    deductions: Decimal = D(0)
    bonuses: Decimal = D(0)
    score: Decimal = D(0)
    grade: str = Grade.FAIL
    veto: dict | None = None
    flags: list = field(default_factory=list)
    small_sample: bool = False
    no_data: bool = False
    rank: int = 0
    rank_overall: int = 0
    group_size: int = 0


def _grade(scheme: Scheme, score: Decimal, veto) -> str:
    if veto is not None:
        return Grade.FAIL
    if score >= scheme.excellent_at:
        return Grade.EXCELLENT
    if score >= scheme.good_at:
        return Grade.GOOD
    if score >= scheme.pass_at:
        return Grade.PASS
    return Grade.FAIL


def _fmt(x: Decimal) -> str:
    return f"{x.normalize():f}"


def compute(period: Period, scheme: Scheme, *, now: dt.datetime, where: Placement | None = None) -> tuple[list[Result], list[str]]:
    """Compute every evaluated department's result for `period` under `scheme` (nothing written). Answers the
    results in rank order and the notes the page must show (weights moved for lack of a source …)."""
    reg.load()
    where = where or placement()
    ctx = reg.Context(period=period, departments=where.departments, owner_of=where.owner_of, now=now)
    inds = list(scheme.indicators.all())
    adjs = list(scheme.adjustments.all())
    vetoes = list(scheme.vetoes.all())
    notes = []
    measures = {}
    for si in inds:
        ind = reg.INDICATORS[si.code]
        if not ind.available:
            notes.append(f"“{ind.name}”尚未接入数据，本期不计分，其 {_fmt(si.weight)} 分按比例折算到其他指标。")
            measures[si.code] = {}
        else:
            measures[si.code] = ind.compute(ctx)
    adj_units = {}
    for sa in adjs:
        registry = reg.DEDUCTIONS if sa.kind == AdjustmentKind.DEDUCTION else reg.BONUSES
        a = registry[sa.code]
        adj_units[(sa.kind, sa.code)] = a.compute(ctx) if a.available else {}
        if not a.available:
            notes.append(f"“{a.name}”尚未接入数据，本期不计。")
    veto_counts = {sv.code: reg.VETOES[sv.code].compute(ctx) for sv in vetoes}

    results = []
    for dept in where.departments:
        r = Result(department=dept, group=where.group_of[dept.pk])
        scored = [si for si in inds if measures[si.code].get(dept.pk) is not None
                  and measures[si.code][dept.pk].value is not None]
        scored_weight = sum((si.weight for si in scored), D(0))
        pos = 0
        for si in inds:
            ind = reg.INDICATORS[si.code]
            m = measures[si.code].get(dept.pk)
            line = ScoreLine(kind=LineKind.INDICATOR, code=si.code, name=ind.name, weight=si.weight, position=pos)
            pos += 1
            flags = []
            if si in scored:
                eff = si.weight * scheme.total / scored_weight
                line.effective_weight = eff.quantize(D("0.0001"), rounding=ROUND_HALF_UP)
                line.numerator, line.denominator, line.value = m.numerator, m.denominator, m.value
                line.points = q2(eff * curve(m.value, si.floor, si.target))
                flags.extend(m.flags)
                if ind.is_rate and m.denominator is not None:
                    interval = wilson(m.numerator, m.denominator)
                    if interval:
                        line.low, line.high = interval
                    if m.denominator < scheme.min_sample:
                        flags.append(f"样本较少（{_fmt(m.denominator)}，少于{scheme.min_sample}）")
                        r.small_sample = True
            else:
                line.scored = False
                line.points = D(0)
                flags.append("尚未接入数据，不计分" if not ind.available else "本期无此类数据，不计分")
            line.flags = flags
            r.lines.append(line)
        r.base_points = sum((ln.points for ln in r.lines), D(0))
        if not scored:
            r.no_data = True
            r.flags.append("本期无可计分的数据")
        if r.small_sample:
            r.flags.append("部分指标样本较少，结果仅供参考")
        for sa in adjs:
            registry = reg.DEDUCTIONS if sa.kind == AdjustmentKind.DEDUCTION else reg.BONUSES
            units = adj_units[(sa.kind, sa.code)].get(dept.pk)
            if not units:
                continue
            points = units * sa.points
            flags = []
            if sa.cap is not None and points > sa.cap:
                points = sa.cap
                flags.append(f"已达上限 {_fmt(sa.cap)} 分")
            kind = LineKind.DEDUCTION if sa.kind == AdjustmentKind.DEDUCTION else LineKind.BONUS
            r.lines.append(ScoreLine(kind=kind, code=sa.code, name=registry[sa.code].name, weight=sa.points,
                                     units=units, points=q2(points), flags=flags, position=pos))
            pos += 1
        r.deductions = sum((ln.points for ln in r.lines if ln.kind == LineKind.DEDUCTION), D(0))
        r.bonuses = sum((ln.points for ln in r.lines if ln.kind == LineKind.BONUS), D(0))
        for sv in vetoes:
            count = veto_counts[sv.code].get(dept.pk, 0)
            if count >= sv.threshold:
                v = reg.VETOES[sv.code]
                r.veto = {"code": sv.code, "name": v.name, "count": count, "threshold": sv.threshold,
                          "sanction_kind": sv.sanction_kind,
                          "text": f"{v.name}：本期 {count} 项，达到否决标准（{sv.threshold} 项）。"}
                r.lines.append(ScoreLine(kind=LineKind.VETO, code=sv.code, name=v.name, units=D(count),
                                         weight=D(sv.threshold), points=D(0), position=pos))
                pos += 1
                break
        r.score = max(D(0), r.base_points - r.deductions + r.bonuses)
        r.grade = _grade(scheme, r.score, r.veto)
        results.append(r)
    _rank(results)
    return results, notes


def rank_key(r: Result):
    return (r.veto is not None, r.no_data, -r.score, r.deductions, -r.base_points, r.department.code)


def _rank(results: list[Result]) -> None:
    results.sort(key=rank_key)
    sizes: dict[str, int] = {}
    for r in results:
        sizes[r.group.code] = sizes.get(r.group.code, 0) + 1
    seen: dict[str, int] = {}
    for n, r in enumerate(results, 1):
        r.rank_overall = n
        seen[r.group.code] = seen.get(r.group.code, 0) + 1
        r.rank = seen[r.group.code]
        r.group_size = sizes[r.group.code]


def _parse(period) -> Period:
    return period if isinstance(period, Period) else Period.parse(period)


@transaction.atomic
def evaluation_run(period, *, now: dt.datetime, by=None, reason: str = "") -> Evaluation:
    """Compute `period` and store it as a draft: re-computes the period's current draft in place; once a revision
    is published, a new computation is the next revision and needs its `reason` (更正理由)."""
    p = _parse(period)
    existing = list(Evaluation.objects.select_for_update().filter(period=p.code).order_by("-revision"))
    latest = existing[0] if existing else None
    reason = (reason or "").strip()
    if latest is not None and latest.status == EvaluationStatus.DRAFT:
        ev = latest
        ev.scores.all().delete()
        if reason:
            ev.reason = reason[:2000]
    else:
        if latest is not None and not reason:
            raise DomainError(f"{p.label}的考核结果已发布，重新计算将形成更正版本，请填写更正理由。", field="reason")
        ev = Evaluation(period=p.code, revision=(latest.revision + 1) if latest else 1, reason=reason[:2000])
    scheme = scheme_for(p)
    results, notes = compute(p, scheme, now=now)
    if now < p.end:
        notes.insert(0, f"考核期尚未结束，以上为截至 {_local_text(now)} 的数据，仅供预览，不能发布。")
    ev.period_kind, ev.starts_at, ev.ends_at, ev.scheme = p.kind, p.start, p.end, scheme
    ev.status, ev.notes, ev.computed_at, ev.computed_by = EvaluationStatus.DRAFT, notes, now, by
    ev.save()
    _store(ev, results)
    return ev


def _local_text(at: dt.datetime) -> str:
    from django.utils import timezone

    local = timezone.localtime(at)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def _store(ev: Evaluation, results: list[Result]) -> None:
    scores = Score.objects.bulk_create([
        Score(evaluation=ev, department=r.department, group_code=r.group.code, group_name=r.group.name,
              base_points=r.base_points, deductions=r.deductions, bonuses=r.bonuses, score=r.score, grade=r.grade,
              rank=r.rank, rank_overall=r.rank_overall, group_size=r.group_size, veto=r.veto, flags=r.flags,
              small_sample=r.small_sample)
        for r in results])
    lines = []
    for s, r in zip(scores, results, strict=True):
        for ln in r.lines:
            ln.score = s
            lines.append(ln)
    ScoreLine.objects.bulk_create(lines, batch_size=2000)


@transaction.atomic
def evaluation_publish(ev: Evaluation, *, now: dt.datetime, by=None) -> Evaluation:
    """Publish a draft (the office reviewed it): frozen from now on; the revision it corrects is kept, marked
    superseded. Then the consequences are proposed (services.sanctions: escalation of repeated bottom places,
    vetoes' sanctions), for the office to confirm or dismiss."""
    ev = Evaluation.objects.select_for_update().get(pk=ev.pk)
    if ev.status != EvaluationStatus.DRAFT:
        raise DomainError("只有草稿状态的考核结果可以发布。", field="status")
    if now < ev.ends_at:
        raise DomainError(f"{ev.period_label}尚未结束，不能发布考核结果。", field="period")
    Evaluation.objects.filter(period=ev.period, status=EvaluationStatus.PUBLISHED).update(
        status=EvaluationStatus.SUPERSEDED)
    ev.status, ev.published_at, ev.published_by = EvaluationStatus.PUBLISHED, now, by
    ev.save(update_fields=["status", "published_at", "published_by"])
    from .sanctions import sanctions_propose_after_publish

    sanctions_propose_after_publish(ev, now=now, by=by)
    return ev
