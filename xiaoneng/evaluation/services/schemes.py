"""Evaluation schemes (考核方案): the shipped default (DOMAIN.md §5), validation, and new versions.

A scheme is written only as a whole new version (`scheme_create_version`), after `scheme_validate` found
nothing wrong: the weights add up to the total, every calculation exists, every curve runs the right way,
every veto has a condition, the grade lines are in order. Nothing is written when anything is wrong, and every
fault is reported at once (field and message, in Chinese).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction

from xiaoneng.core.errors import DomainError
from xiaoneng.core.periods import KINDS

from .. import indicators as reg
from ..models import AdjustmentKind, SanctionKind, Scheme, SchemeAdjustment, SchemeIndicator, SchemeVeto

D = Decimal

# The shipped scheme (DOMAIN.md §5, one deployed table of 100 points, mapped onto what the platform measures):
# 法定时限 14 = on_time_rate 8 + avg_working_days_ratio 6; 办事程序 14; 收费 8; 群众满意度 10 (好差评); 服务态度 10
# (民主评议); 监督检查 14 (明查暗访); 法律责任 10 = complaints answered on time 5 + satisfied 5; 廉洁 10 → 差评整改率
# (the deployed table's integrity points have no measured source; rectifying bad ratings is the nearest);
# 政务公开 10 (until the portal issue, moved to the others pro rata).
DEFAULT_INDICATORS = [
    # code, weight, floor, target
    ("on_time_rate", 8, "0.6", "1"),
    ("avg_working_days_ratio", 6, "1", "0.5"),
    ("procedure_rate", 14, "0.9", "1"),
    ("fee_compliance_rate", 8, "0.95", "1"),
    ("rating_good_rate", 10, "0.8", "0.98"),
    ("survey_score", 10, "60", "95"),
    ("inspection_score", 14, "60", "95"),
    ("complaint_on_time_rate", 5, "0.8", "1"),
    ("complaint_satisfaction_rate", 5, "0.6", "0.95"),
    ("rating_rectification_rate", 10, "0.6", "1"),
    ("disclosure", 10, "0.8", "1"),
]
# Per-card points as DOMAIN.md §5; the caps are ours (the deployed table sets none): a department handling
# thousands of cases a quarter collects cards by the dozen, and uncapped deductions would floor every busy
# department at 0 and rank by volume instead of by conduct. The office sets its own caps per version.
DEFAULT_DEDUCTIONS = [
    # code, points per unit, cap
    ("card_reminder", "1", "3"),
    ("card_yellow", "5", "10"),
    ("card_red", "10", "20"),
    ("complaint_substantiated", "2", "10"),
    ("appeal_lost", "1", "5"),
    ("sanction", "1", None),  # units: the points each confirmed sanction carries (10 … 50 by severity)
    ("data_incomplete", "1", "5"),  # −1 per 1% of cases reported incompletely, at most −5
    ("disclosure_late", "1", None),
]
DEFAULT_BONUSES = [
    ("early_completion", "1", None),  # +1 per full 10% of cases completed early
    ("short_commitment", "3", None),  # committed limits ≥ 30% shorter than statutory
]
# A veto fails a department whatever its score, so the shipped one is the gravest thing the platform records:
# a 纪律处分 of the department or its staff decided in the period (the department is named in the bulletin at
# once). Counting red cards (`red_cards`) is offered to offices that want it, with a threshold they choose.
DEFAULT_VETOES = [
    # code, threshold, sanction proposed at once
    ("disciplinary_sanction", 1, SanctionKind.CRITICISM),
]
# The red-card threshold (the seeds' default): three red cards issued to one handler within a quarter propose
# 效能告诫 against that handler. It counts within one period of the scheme's own kind, so it is shipped on for the
# quarter only: on for months or years as well, the same cards would be counted again by every overlapping period
# (an office evaluating only by month turns it on there). 0 = off.
DEFAULT_RED_CARD_THRESHOLD = {"quarter": 3}
DEFAULT_RED_CARD_SANCTION = SanctionKind.WARNING
RED_CARD_THRESHOLD_MAX = 1000
# "一个季度内" …: the span a threshold counts over, in the rule's words.
WITHIN = {"month": "一个月内", "quarter": "一个季度内", "half": "半年内", "year": "一年内"}


def red_card_rule_text(scheme) -> str:
    """The red-card rule of a scheme (or spec) in words, as the scheme page and the proposals quote it."""
    get = scheme.get if isinstance(scheme, dict) else lambda k: getattr(scheme, k)
    n = get("red_card_threshold")
    if not n:
        return "未启用：红牌数量不自动提出问责。"
    kind = SanctionKind(get("red_card_sanction")).label if get("red_card_sanction") in SanctionKind.values else ""
    return f"{WITHIN.get(get('period_kind'), '一个考核期内')}同一承办人被发出红牌{n}张及以上的，提出{kind}。"


class SchemeInvalid(DomainError):
    """A scheme the rules refuse; `errors` lists every fault ({"field", "error"}), nothing was written."""

    def __init__(self, errors: list[dict]):
        self.errors = errors
        super().__init__(f"考核方案有 {len(errors)} 处错误，未保存：{errors[0]['error']}", field=errors[0]["field"],
                         code="scheme_invalid")

    def as_dict(self) -> dict:
        return {"error": self.message, "code": self.code, "errors": self.errors}


def default_spec(period_kind: str = "quarter") -> dict:
    """The shipped scheme as a spec (the shape scheme_validate and scheme_create_version take)."""
    return {
        "period_kind": period_kind, "name": "机关效能考核方案", "valid_from": dt.date(2000, 1, 1),
        "total": D(100), "excellent_at": D(90), "good_at": D(80), "pass_at": D(60), "min_sample": 20,
        "bulletin_top": 8, "bulletin_bottom": 8, "escalation_bottom": 5,
        "red_card_threshold": DEFAULT_RED_CARD_THRESHOLD.get(period_kind, 0),
        "red_card_sanction": DEFAULT_RED_CARD_SANCTION,
        "note": "依据机关效能考核评分办法（满分100分）设置；政务公开指标在政务公开功能上线前按比例折算到其他指标。",
        "indicators": [{"code": c, "weight": D(w), "floor": D(f), "target": D(t)} for c, w, f, t in DEFAULT_INDICATORS],
        "deductions": [{"code": c, "points": D(p), "cap": D(cap) if cap else None} for c, p, cap in DEFAULT_DEDUCTIONS],
        "bonuses": [{"code": c, "points": D(p), "cap": D(cap) if cap else None} for c, p, cap in DEFAULT_BONUSES],
        "vetoes": [{"code": c, "threshold": n, "sanction_kind": k} for c, n, k in DEFAULT_VETOES],
    }


def spec_of(scheme: Scheme) -> dict:
    """A stored scheme as a spec (to show it, or to start the next version from it)."""
    return {
        "period_kind": scheme.period_kind, "name": scheme.name, "valid_from": scheme.valid_from, "total": scheme.total,
        "excellent_at": scheme.excellent_at, "good_at": scheme.good_at, "pass_at": scheme.pass_at,
        "min_sample": scheme.min_sample, "bulletin_top": scheme.bulletin_top,
        "bulletin_bottom": scheme.bulletin_bottom, "escalation_bottom": scheme.escalation_bottom,
        "red_card_threshold": scheme.red_card_threshold, "red_card_sanction": scheme.red_card_sanction,
        "note": scheme.note,
        "indicators": [{"code": i.code, "weight": i.weight, "floor": i.floor, "target": i.target}
                       for i in scheme.indicators.all()],
        "deductions": [{"code": a.code, "points": a.points, "cap": a.cap}
                       for a in scheme.adjustments.all() if a.kind == AdjustmentKind.DEDUCTION],
        "bonuses": [{"code": a.code, "points": a.points, "cap": a.cap}
                    for a in scheme.adjustments.all() if a.kind == AdjustmentKind.BONUS],
        "vetoes": [{"code": v.code, "threshold": v.threshold, "sanction_kind": v.sanction_kind}
                   for v in scheme.vetoes.all()],
    }


def _dec(value, errors: list, field: str, label: str) -> Decimal | None:
    if value is None or value == "":
        errors.append({"field": field, "error": f"{label}不能为空。"})
        return None
    try:
        d = D(str(value).strip())
    except (InvalidOperation, ValueError):
        errors.append({"field": field, "error": f"{label}“{str(value)[:20]}”不是数字。"})
        return None
    if not d.is_finite() or abs(d) >= D(10) ** 6:
        errors.append({"field": field, "error": f"{label}超出允许范围。"})
        return None
    return d


def _int(value, errors: list, field: str, label: str, *, low: int = 0, high: int = 10_000) -> int | None:
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        errors.append({"field": field, "error": f"{label}须为整数。"})
        return None
    if not low <= n <= high:
        errors.append({"field": field, "error": f"{label}须在 {low} 至 {high} 之间。"})
        return None
    return n


def scheme_validate(spec: dict) -> dict:
    """Check a scheme spec; answer it cleaned (Decimals, ints), or raise SchemeInvalid listing every fault."""
    reg.load()
    errors: list[dict] = []
    out: dict = {}
    if spec.get("period_kind") not in KINDS:
        errors.append({"field": "period_kind", "error": "考核周期须为月度、季度、半年或年度。"})
    out["period_kind"] = spec.get("period_kind")
    name = str(spec.get("name") or "").strip()
    if not name:
        errors.append({"field": "name", "error": "方案名称不能为空。"})
    out["name"] = name[:100]
    vf = spec.get("valid_from")
    if isinstance(vf, str):
        try:
            vf = dt.date.fromisoformat(vf.strip())
        except ValueError:
            vf = None
    if not isinstance(vf, dt.date) or isinstance(vf, dt.datetime):
        errors.append({"field": "valid_from", "error": "起用日期须为有效日期（如 2026-01-01）。"})
    out["valid_from"] = vf
    out["note"] = str(spec.get("note") or "")[:2000]
    total = _dec(spec.get("total"), errors, "total", "指标总分")
    if total is not None and total <= 0:
        errors.append({"field": "total", "error": "指标总分须大于0。"})
    out["total"] = total
    lines = {}
    for key, label in (("excellent_at", "优秀分数线"), ("good_at", "良好分数线"), ("pass_at", "合格分数线")):
        lines[key] = out[key] = _dec(spec.get(key), errors, key, label)
    if None not in lines.values():
        if not lines["excellent_at"] > lines["good_at"] > lines["pass_at"] >= 0:
            errors.append({"field": "excellent_at", "error": "等次分数线须满足：优秀 > 良好 > 合格 ≥ 0。"})
        elif total is not None and lines["excellent_at"] > total:
            errors.append({"field": "excellent_at", "error": f"优秀分数线（{lines['excellent_at']}）不能高于指标总分（{total}）。"})
    out["min_sample"] = _int(spec.get("min_sample"), errors, "min_sample", "最少样本数", low=1)
    out["bulletin_top"] = _int(spec.get("bulletin_top"), errors, "bulletin_top", "通报表扬名次", high=100)
    out["bulletin_bottom"] = _int(spec.get("bulletin_bottom"), errors, "bulletin_bottom", "通报后进名次", high=100)
    out["escalation_bottom"] = _int(spec.get("escalation_bottom"), errors, "escalation_bottom", "连续后进名次", high=100)
    # The red-card rule: a spec written before the rule was part of the scheme (no key at all) takes the shipped
    # rule of its period kind; a value given, even empty, is checked.
    if "red_card_threshold" in spec:
        threshold = _int(spec.get("red_card_threshold"), errors, "red_card_threshold", "红牌处理标准（张数）",
                         high=RED_CARD_THRESHOLD_MAX)
    else:
        threshold = DEFAULT_RED_CARD_THRESHOLD.get(out["period_kind"], 0)
    out["red_card_threshold"] = threshold
    sanction = str(spec.get("red_card_sanction", DEFAULT_RED_CARD_SANCTION) or "").strip()
    if not sanction:
        if threshold:
            errors.append({"field": "red_card_sanction", "error": "请选择达到红牌处理标准时提出的处理方式。"})
        sanction = DEFAULT_RED_CARD_SANCTION
    elif sanction not in SanctionKind.values:
        errors.append({"field": "red_card_sanction", "error": f"达到红牌处理标准时提出的处理方式“{sanction[:20]}”无效。"})
    out["red_card_sanction"] = sanction

    indicators = list(spec.get("indicators") or [])
    if not indicators:
        errors.append({"field": "indicators", "error": "考核方案至少要有一项指标。"})
    out["indicators"] = []
    seen = set()
    weight_sum = D(0)
    for n, row in enumerate(indicators, 1):
        f = f"indicators.{n}"
        code = str(row.get("code") or "").strip()
        ind = reg.INDICATORS.get(code)
        if ind is None:
            errors.append({"field": f"{f}.code", "error": f"第{n}项指标“{code[:40] or '（空）'}”不是系统提供的指标。"})
            continue
        if code in seen:
            errors.append({"field": f"{f}.code", "error": f"指标“{ind.name}”重复设置。"})
            continue
        seen.add(code)
        weight = _dec(row.get("weight"), errors, f"{f}.weight", f"“{ind.name}”的分值")
        floor = _dec(row.get("floor"), errors, f"{f}.floor", f"“{ind.name}”的起评值")
        target = _dec(row.get("target"), errors, f"{f}.target", f"“{ind.name}”的目标值")
        if weight is not None:
            if weight <= 0:
                errors.append({"field": f"{f}.weight", "error": f"“{ind.name}”的分值须大于0。"})
            weight_sum += weight
        if floor is not None and target is not None:
            if ind.higher_is_better and floor >= target:
                errors.append({"field": f"{f}.floor",
                               "error": f"“{ind.name}”的起评值（{floor}）须小于目标值（{target}）：该指标数值越高越好。"})
            if not ind.higher_is_better and floor <= target:
                errors.append({"field": f"{f}.floor",
                               "error": f"“{ind.name}”的起评值（{floor}）须大于目标值（{target}）：该指标数值越低越好。"})
        out["indicators"].append({"code": code, "weight": weight, "floor": floor, "target": target})
    if total is not None and indicators and weight_sum != total and not any(
            e["field"].endswith(".weight") for e in errors):
        errors.append({"field": "indicators", "error": f"各指标分值合计为 {weight_sum:g} 分，应等于指标总分 {total:g} 分。"})

    for kind, registry, label in (("deductions", reg.DEDUCTIONS, "扣分"), ("bonuses", reg.BONUSES, "加分")):
        out[kind] = []
        seen = set()
        for n, row in enumerate(spec.get(kind) or [], 1):
            f = f"{kind}.{n}"
            code = str(row.get("code") or "").strip()
            adj = registry.get(code)
            if adj is None:
                errors.append({"field": f"{f}.code", "error": f"第{n}项{label}项目“{code[:40] or '（空）'}”不是系统提供的项目。"})
                continue
            if code in seen:
                errors.append({"field": f"{f}.code", "error": f"{label}项目“{adj.name}”重复设置。"})
                continue
            seen.add(code)
            points = _dec(row.get("points"), errors, f"{f}.points", f"“{adj.name}”的每项分值")
            if points is not None and points <= 0:
                errors.append({"field": f"{f}.points", "error": f"“{adj.name}”的每项分值须大于0。"})
            cap = row.get("cap")
            if cap not in (None, ""):
                cap = _dec(cap, errors, f"{f}.cap", f"“{adj.name}”的上限")
                if cap is not None and cap <= 0:
                    errors.append({"field": f"{f}.cap", "error": f"“{adj.name}”的上限须大于0（不设上限请留空）。"})
            else:
                cap = None
            out[kind].append({"code": code, "points": points, "cap": cap})

    out["vetoes"] = []
    seen = set()
    for n, row in enumerate(spec.get("vetoes") or [], 1):
        f = f"vetoes.{n}"
        code = str(row.get("code") or "").strip()
        if not code:
            errors.append({"field": f"{f}.code", "error": f"第{n}项一票否决没有设置否决条件。"})
            continue
        veto = reg.VETOES.get(code)
        if veto is None:
            errors.append({"field": f"{f}.code", "error": f"第{n}项一票否决的条件“{code[:40]}”不是系统提供的条件。"})
            continue
        if code in seen:
            errors.append({"field": f"{f}.code", "error": f"一票否决条件“{veto.name}”重复设置。"})
            continue
        seen.add(code)
        threshold = _int(row.get("threshold"), errors, f"{f}.threshold", f"“{veto.name}”的触发数量", low=1)
        kind = row.get("sanction_kind") or ""
        if kind and kind not in SanctionKind.values:
            errors.append({"field": f"{f}.sanction_kind", "error": f"“{veto.name}”提出的处理方式无效。"})
        out["vetoes"].append({"code": code, "threshold": threshold, "sanction_kind": kind})
    if errors:
        raise SchemeInvalid(errors)
    return out


@transaction.atomic
def scheme_create_version(spec: dict, *, by=None, now: dt.datetime) -> Scheme:
    """Validate `spec` and store it as the next version of its period kind's scheme."""
    clean = scheme_validate(spec)
    last = (Scheme.objects.select_for_update().filter(period_kind=clean["period_kind"])
            .order_by("-version").first())
    scheme = Scheme.objects.create(
        period_kind=clean["period_kind"], version=(last.version + 1) if last else 1, name=clean["name"],
        valid_from=clean["valid_from"], total=clean["total"], excellent_at=clean["excellent_at"],
        good_at=clean["good_at"], pass_at=clean["pass_at"], min_sample=clean["min_sample"],
        bulletin_top=clean["bulletin_top"], bulletin_bottom=clean["bulletin_bottom"],
        escalation_bottom=clean["escalation_bottom"], red_card_threshold=clean["red_card_threshold"],
        red_card_sanction=clean["red_card_sanction"], note=clean["note"], created_at=now, created_by=by)
    SchemeIndicator.objects.bulk_create([SchemeIndicator(scheme=scheme, position=n, **row)
                                         for n, row in enumerate(clean["indicators"])])
    SchemeAdjustment.objects.bulk_create(
        [SchemeAdjustment(scheme=scheme, kind=AdjustmentKind.DEDUCTION, position=n, **row)
         for n, row in enumerate(clean["deductions"])]
        + [SchemeAdjustment(scheme=scheme, kind=AdjustmentKind.BONUS, position=n, **row)
           for n, row in enumerate(clean["bonuses"])])
    SchemeVeto.objects.bulk_create([SchemeVeto(scheme=scheme, position=n, **row) for n, row in enumerate(clean["vetoes"])])
    return scheme


def schemes_ensure_default(*, now: dt.datetime) -> None:
    """The shipped scheme for every period kind that has none yet (after migrate; never touches edited ones)."""
    for kind in KINDS:
        if not Scheme.objects.filter(period_kind=kind).exists():
            scheme_create_version(default_spec(kind), now=now)


def scheme_for(period) -> Scheme:
    """The scheme in force when `period` began: its kind's latest version whose valid_from ≤ the first day."""
    scheme = (Scheme.objects.filter(period_kind=period.kind, valid_from__lte=period.start.date())
              .order_by("-valid_from", "-version").first())
    if scheme is None:
        raise DomainError(f"{period.label}没有适用的考核方案（方案起用日期均晚于该期开始）。", field="period")
    return scheme
